//! Writes the flash receiver's JSON schema: `cargo run -p breakwater-flash-receiver --example schema_flash-receiver`.
use breakwater_types::venue::{ReceiverExecuteMsg, ReceiverInstantiateMsg, ReceiverQueryMsg};
use cosmwasm_schema::write_api;

fn main() {
    write_api! {
        instantiate: ReceiverInstantiateMsg,
        execute: ReceiverExecuteMsg,
        query: ReceiverQueryMsg,
    }
}
