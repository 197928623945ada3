// The verifier's checks of act.activation, on input no front end produces.
// RUN: act-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{needs both 'derivative_of' and 'wrt', or neither}}
act.activation @half(%x: f32) attributes {derivative_of = "f"} {
  act.return %x : f32
}

// -----

// expected-error @+1 {{is a derivative with respect to 'z', which is not one of its arguments}}
act.activation @f.d_z(%x: f32) attributes {derivative_of = "f", wrt = "z"} {
  act.return %x : f32
}

// -----

// expected-error @+1 {{attribute 'doc' failed to satisfy constraint: string attribute}}
act.activation @numbered(%x: f32) attributes {doc = 3 : i32} {
  act.return %x : f32
}

// -----

// expected-error @+1 {{expected '='}}
act.activation @no_default(%x: f32, %a: f32) {
  act.return %x : f32
}
