//! Integration tests of the Modbus source against real peers: pymodbus (an
//! independent implementation, in the project's Python environment) and
//! our own tokio-modbus server. Peers run on 127.0.0.1 free ports, are
//! started and stopped by the tests, and every wait is bounded.

mod coalescing;
mod faults;
mod pymodbus_types;
mod round_trip;
mod support;
