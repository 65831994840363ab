//! Calculators behind `steamflow calc`.
