//! Rate budgets: how much a caller (an address, an API key, a person) may
//! do per period, counted here and, with several instances, in a store
//! they share (`store`).

pub mod gcra;
pub mod ledger;
pub mod store;

pub use gcra::{Rate, Refused, Standing};
pub use ledger::Ledger;
