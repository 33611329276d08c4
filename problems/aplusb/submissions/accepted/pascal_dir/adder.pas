{ A unit of a multi-file Pascal submission: the program is the other file. }
unit adder;

interface

function Add(a, b: Int64): Int64;

implementation

function Add(a, b: Int64): Int64;
begin
  Add := a + b;
end;

end.
