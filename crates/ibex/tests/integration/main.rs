//! The client against a real `ibex-sandbox` over loopback HTTP and WebSocket: every endpoint
//! group, the session rules under fault injection, and the realtime connection.

mod account;
mod auth;
mod defi;
mod extras;
mod faults;
mod harness;
mod operations;
mod rails;
mod realtime;
mod session;
