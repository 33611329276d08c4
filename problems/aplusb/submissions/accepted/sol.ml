(* OCaml: Scanf's " %d" skips any whitespace, newlines and tabs included. *)
let () = Scanf.scanf " %d %d" (fun a b -> Printf.printf "%d\n" (a + b))
