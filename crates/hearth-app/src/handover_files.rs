//! Who may attach and see the signature image (签名图片) and photos (发放照片) of a handover, a
//! cash aid paper or a pledge's delivery: they show a person's signature and face, so they are
//! personal data. Attaching to a handover or cash aid is for whoever keeps the household's town
//! station (the town, the county); to a delivery, for whoever may record deliveries of its
//! pledge (the pledging organization, or the town for 集中发放). Seeing them is for officers who
//! may show household details in full and read the paper in their area; organization members
//! see names masked, so they may attach a delivery's images but not view them afterwards. The
//! files are stored and served by [`crate::attachments`]: PNG or JPEG only, checked by content,
//! never served as a page.

use crate::attachments::Owner;
use crate::stock::{keeps, read_scope};
use crate::{AppError, Caller, Result};
use hearth_core::AreaCode;
use hearth_core::permission::Permission;
use hearth_store::{Tx, cash_aid, stock};

/// The village and town of the household a handover or cash aid paper reached.
async fn reached(tx: &mut Tx, owner: Owner) -> Result<(AreaCode, AreaCode)> {
    let found = match owner {
        Owner::Distribution(id) => stock::distribution(tx, id)
            .await?
            .map(|d| (d.village, d.town)),
        Owner::CashAid(id) => cash_aid::get(tx, id).await?.map(|c| (c.village, c.town)),
        _ => None,
    };
    found.ok_or(AppError::NotFound)
}

/// Refuses unless the caller may attach to (`attach`) or see the files of this paper; one
/// outside the caller's area is "not found".
pub(crate) async fn check(tx: &mut Tx, caller: &Caller, owner: Owner, attach: bool) -> Result<()> {
    if let Owner::Delivery(id) = owner {
        if attach {
            return crate::deliveries::may_attach(tx, caller, id).await;
        }
        crate::deliveries::visible(tx, caller, id).await?;
        return caller.require(Permission::RevealHouseholdDetails);
    }
    let scope = read_scope(caller)?;
    let (village, town) = reached(tx, owner).await?;
    if !village.is_within(&scope) {
        return Err(AppError::NotFound);
    }
    if attach && !keeps(caller, &town) {
        return Err(AppError::Forbidden);
    }
    caller.require(Permission::RevealHouseholdDetails)
}
