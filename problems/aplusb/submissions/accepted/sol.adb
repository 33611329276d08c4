--  Ada (GNAT): the unit's name is the file's (sol.adb: procedure Sol).
with Ada.Text_IO;
with Ada.Long_Long_Integer_Text_IO;

procedure Sol is
   A, B : Long_Long_Integer;
begin
   Ada.Long_Long_Integer_Text_IO.Get (A);
   Ada.Long_Long_Integer_Text_IO.Get (B);
   Ada.Long_Long_Integer_Text_IO.Put (A + B, Width => 0);
   Ada.Text_IO.New_Line;
end Sol;
