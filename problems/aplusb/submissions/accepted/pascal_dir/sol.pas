{ The file that declares `program` is the one to build and run. }
program sol;

uses adder;

var
  a, b: Int64;
begin
  read(a, b);
  writeln(Add(a, b));
end.
