% Prolog (SWI-Prolog): main/0 is the entry point. A .pl file without a
% perl #! line is Prolog.
main :-
    read_string(user_input, _, Text),
    split_string(Text, " \t\n\r", " \t\n\r", Parts),
    exclude(==(""), Parts, [A, B]),
    number_string(X, A),
    number_string(Y, B),
    Z is X + Y,
    format("~d~n", [Z]).
