//! Two-step ownership: the owner proposes a new owner, who must accept.
//!
//! cw-ownable 2.x pins cosmwasm-std 2, so this is a small replacement. It is shared by every
//! contract: each `ExecuteMsg` nests [`OwnershipMsg`] as its `Ownership` variant and hands it
//! to [`OwnershipMsg::execute`]; privileged handlers check `Ownership::assert(storage, &sender)`.
use cosmwasm_std::{Addr, Api, Attribute, MessageInfo, Response, StdError, Storage};
use cw_storage_plus::Item;
use cw_utils::PaymentError;
use thiserror::Error;

/// Storage slot of the ownership record.
pub const OWNERSHIP: Item<Ownership> = Item::new("ownership");

crate::cw_serde_struct! {
/// The owner and an optional proposed successor.
pub struct Ownership {
    /// Current owner: the only address allowed privileged messages.
    pub owner: Addr,
    /// Proposed owner, who becomes owner by sending `AcceptOwnership`.
    pub pending_owner: Option<Addr>,
}
}

cw_serde_variants! {
/// The ownership messages every contract accepts, nested in its `ExecuteMsg` as
/// `Ownership(OwnershipMsg)` (JSON `{"ownership": {"transfer_ownership": {...}}}`).
pub enum OwnershipMsg {
    /// Owner: propose a new owner.
    TransferOwnership {
        /// The proposed owner.
        new_owner: String,
    },
    /// Proposed owner: accept ownership.
    AcceptOwnership {},
}
}

impl crate::variants::Variants for OwnershipMsg {
    const NAME: &'static str = "OwnershipMsg";
    const VARIANTS: &'static [&'static str] = &["transfer_ownership", "accept_ownership"];
    type Body = Option<String>;

    fn fields(variant: &str) -> Option<&'static [&'static str]> {
        Some(match variant {
            "transfer_ownership" => &["new_owner"],
            _ => &[],
        })
    }

    fn read<'de, A: serde::de::MapAccess<'de>>(
        _variant: &str,
        _field: &str,
        map: &mut A,
        new_owner: &mut Option<String>,
    ) -> Result<(), A::Error> {
        *new_owner = Some(map.next_value()?);
        Ok(())
    }

    fn build<E: serde::de::Error>(variant: &str, new_owner: Option<String>) -> Result<Self, E> {
        Ok(match variant {
            "transfer_ownership" => OwnershipMsg::TransferOwnership {
                new_owner: crate::variants::required(new_owner, "new_owner")?,
            },
            _ => OwnershipMsg::AcceptOwnership {},
        })
    }
}

impl OwnershipMsg {
    /// Handles the message from `info.sender`. Takes no funds.
    pub fn execute(
        self,
        storage: &mut dyn Storage,
        api: &dyn Api,
        info: &MessageInfo,
    ) -> Result<Response, OwnershipError> {
        cw_utils::nonpayable(info)?;
        match self {
            OwnershipMsg::TransferOwnership { new_owner } => {
                Ownership::execute_transfer(storage, api, &info.sender, &new_owner)
            }
            OwnershipMsg::AcceptOwnership {} => Ownership::execute_accept(storage, &info.sender),
        }
    }
}

/// The start every contract's `instantiate` shares: refuses funds, records the cw2 `name` and
/// `version`, and stores the owner (`owner` when given, validated; the sender otherwise).
/// Returns the owner.
pub fn instantiate_owned(
    storage: &mut dyn Storage,
    api: &dyn Api,
    info: &MessageInfo,
    (name, version): (&str, &str),
    owner: Option<String>,
) -> Result<Addr, OwnershipError> {
    cw_utils::nonpayable(info)?;
    cw2::set_contract_version(storage, name, version)?;
    let owner = match owner {
        Some(o) => api.addr_validate(&o)?,
        None => info.sender.clone(),
    };
    Ownership::initialize(storage, owner.clone())?;
    Ok(owner)
}

/// Errors of the ownership module.
#[derive(Error, Debug)]
pub enum OwnershipError {
    /// Storage failure.
    #[error(transparent)]
    Std(#[from] StdError),
    /// Funds attached to an ownership message.
    #[error("payment error: {0}")]
    Payment(#[from] PaymentError),
    /// The sender is not the owner.
    #[error("unauthorized: only the owner may do this")]
    NotOwner,
    /// No transfer is pending.
    #[error("no ownership transfer is pending")]
    NoPendingTransfer,
    /// The sender is not the proposed owner.
    #[error("unauthorized: only the pending owner may accept ownership")]
    NotPendingOwner,
}

impl Ownership {
    /// Stores `owner` as the initial owner.
    pub fn initialize(storage: &mut dyn Storage, owner: Addr) -> Result<Self, OwnershipError> {
        let o = Ownership {
            owner,
            pending_owner: None,
        };
        OWNERSHIP.save(storage, &o)?;
        Ok(o)
    }

    /// Loads the ownership record.
    pub fn load(storage: &dyn Storage) -> Result<Self, OwnershipError> {
        Ok(OWNERSHIP.load(storage)?)
    }

    /// Fails with [`OwnershipError::NotOwner`] unless `sender` is the owner.
    pub fn assert_owner(&self, sender: &Addr) -> Result<(), OwnershipError> {
        if self.owner != *sender {
            return Err(OwnershipError::NotOwner);
        }
        Ok(())
    }

    /// Loads the record and checks that `sender` is the owner.
    pub fn assert(storage: &dyn Storage, sender: &Addr) -> Result<Self, OwnershipError> {
        let o = Self::load(storage)?;
        o.assert_owner(sender)?;
        Ok(o)
    }

    /// Handles `TransferOwnership { new_owner }`: validates the address, then [`Self::transfer`].
    pub fn execute_transfer(
        storage: &mut dyn Storage,
        api: &dyn Api,
        sender: &Addr,
        new_owner: &str,
    ) -> Result<Response, OwnershipError> {
        let new_owner = api.addr_validate(new_owner)?;
        Ok(Response::new().add_attributes(Self::transfer(storage, sender, new_owner)?))
    }

    /// Handles `AcceptOwnership {}`: [`Self::accept`] as a response.
    pub fn execute_accept(
        storage: &mut dyn Storage,
        sender: &Addr,
    ) -> Result<Response, OwnershipError> {
        Ok(Response::new().add_attributes(Self::accept(storage, sender)?))
    }

    /// Owner proposes `new_owner` (replacing any earlier proposal).
    pub fn transfer(
        storage: &mut dyn Storage,
        sender: &Addr,
        new_owner: Addr,
    ) -> Result<Vec<Attribute>, OwnershipError> {
        let mut o = Self::assert(storage, sender)?;
        o.pending_owner = Some(new_owner.clone());
        OWNERSHIP.save(storage, &o)?;
        Ok(vec![
            Attribute::new("action", "transfer_ownership"),
            Attribute::new("owner", o.owner.as_str()),
            Attribute::new("pending_owner", new_owner.as_str()),
        ])
    }

    /// The proposed owner accepts.
    pub fn accept(
        storage: &mut dyn Storage,
        sender: &Addr,
    ) -> Result<Vec<Attribute>, OwnershipError> {
        let mut o = Self::load(storage)?;
        let pending = o
            .pending_owner
            .take()
            .ok_or(OwnershipError::NoPendingTransfer)?;
        if pending != *sender {
            return Err(OwnershipError::NotPendingOwner);
        }
        let previous = std::mem::replace(&mut o.owner, pending);
        OWNERSHIP.save(storage, &o)?;
        Ok(vec![
            Attribute::new("action", "accept_ownership"),
            Attribute::new("previous_owner", previous.as_str()),
            Attribute::new("owner", o.owner.as_str()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    #[test]
    fn ownership_moves_only_when_the_proposed_owner_accepts() {
        let mut st = MockStorage::new();
        let (a, b, c) = (
            Addr::unchecked("a"),
            Addr::unchecked("b"),
            Addr::unchecked("c"),
        );
        Ownership::initialize(&mut st, a.clone()).unwrap();
        assert!(matches!(
            Ownership::transfer(&mut st, &b, c.clone()),
            Err(OwnershipError::NotOwner)
        ));
        assert!(matches!(
            Ownership::accept(&mut st, &b),
            Err(OwnershipError::NoPendingTransfer)
        ));
        Ownership::transfer(&mut st, &a, b.clone()).unwrap();
        assert!(matches!(
            Ownership::accept(&mut st, &c),
            Err(OwnershipError::NotPendingOwner)
        ));
        assert_eq!(Ownership::load(&st).unwrap().owner, a);
        Ownership::accept(&mut st, &b).unwrap();
        let o = Ownership::load(&st).unwrap();
        assert_eq!(o.owner, b);
        assert_eq!(o.pending_owner, None);
    }
}
