//! A healthy plant: a day without a critical or high alert, and a balance
//! that closes within the seed's bounds.
