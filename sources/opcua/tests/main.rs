//! Integration tests of the OPC UA source against real peers: python
//! asyncua (an independent server) and our own async-opcua server.

mod asyncua_peer;
mod own_server;
mod support;
