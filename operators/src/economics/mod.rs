//! Economics: steam cost and project appraisal.
