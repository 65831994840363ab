//! What each calculator takes and gives: one table drives the CLI flags,
//! `--help`, the batch contract's input checks and the readable output.

/// The kind of value an input takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A dimensioned value written with its unit, `"3 MPa"`; the text names the quantity.
    Quantity(&'static str),
    /// A dimensionless number.
    Number,
    /// A list of numbers: a JSON array, or `"a,b,c"` on the command line.
    Numbers,
}

/// One input of a calculator.
#[derive(Clone, Copy, Debug)]
pub struct InputSpec {
    /// Key in a batch line and long flag on the command line (`p_from` ⇒ `--p-from`).
    pub key: &'static str,
    pub kind: InputKind,
    /// Whether the calculator can run without it (the calculator checks combinations).
    pub required: bool,
    pub help: &'static str,
}

/// One output of a calculator, in its fixed unit.
#[derive(Clone, Copy, Debug)]
pub struct OutputSpec {
    /// Key in the JSON output; the unit is part of the name (`h_kj_kg`).
    pub key: &'static str,
    /// What a person reads in the table.
    pub label: &'static str,
    /// Unit shown after the number, empty for dimensionless values.
    pub unit: &'static str,
}

/// A calculator's contract.
#[derive(Clone, Copy, Debug)]
pub struct CalcSpec {
    pub name: &'static str,
    pub about: &'static str,
    /// Longer help: the formula, its source and which inputs go together.
    pub long_about: &'static str,
    pub inputs: &'static [InputSpec],
    pub outputs: &'static [OutputSpec],
}

impl CalcSpec {
    pub fn input(&self, key: &str) -> Option<&InputSpec> {
        self.inputs.iter().find(|i| i.key == key)
    }

    pub fn input_keys(&self) -> String {
        self.inputs
            .iter()
            .map(|i| i.key)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Shorthand constructors keep the calculator tables readable.
pub const fn quantity(key: &'static str, what: &'static str, help: &'static str) -> InputSpec {
    InputSpec {
        key,
        kind: InputKind::Quantity(what),
        required: true,
        help,
    }
}

pub const fn number(key: &'static str, help: &'static str) -> InputSpec {
    InputSpec {
        key,
        kind: InputKind::Number,
        required: true,
        help,
    }
}

pub const fn numbers(key: &'static str, help: &'static str) -> InputSpec {
    InputSpec {
        key,
        kind: InputKind::Numbers,
        required: true,
        help,
    }
}

impl InputSpec {
    /// The same input, optional.
    pub const fn optional(self) -> InputSpec {
        InputSpec {
            required: false,
            ..self
        }
    }
}

pub const fn output(key: &'static str, label: &'static str, unit: &'static str) -> OutputSpec {
    OutputSpec { key, label, unit }
}
