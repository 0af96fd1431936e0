//! Where goods are: the county warehouse (县级仓库), a town or park station (乡镇/园区站点), or on
//! the road under a waybill. Goods in transit are held by the waybill, so every movement takes
//! from one place and gives to another and on-hand is the same sum everywhere.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::{AreaCode, AreaLevel, Invalid};

/// A place that holds stock. Stored and hashed as text: `site:<12-digit code>` or
/// `transit:<waybill uuid>`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub enum Location {
    /// The warehouse of a county (county code) or the station of a town (town code).
    Site(AreaCode),
    /// Dispatched under this waybill and not yet received or written off.
    Transit(Uuid),
}

impl Location {
    /// The warehouse or station of an area; only counties and towns keep stock.
    pub fn site(area: AreaCode) -> Result<Location, Invalid> {
        match area.level() {
            AreaLevel::County | AreaLevel::Town => Ok(Location::Site(area)),
            _ => Err(Invalid::new("location", "ledger.location.level").arg("value", area)),
        }
    }

    pub fn is_site(&self) -> bool {
        matches!(self, Location::Site(_))
    }

    /// The town of a station; `None` for the county warehouse and for goods in transit.
    pub fn town(&self) -> Option<&AreaCode> {
        match self {
            Location::Site(area) if area.level() == AreaLevel::Town => Some(area),
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Site(area) => write!(f, "site:{area}"),
            Location::Transit(waybill) => write!(f, "transit:{waybill}"),
        }
    }
}

impl FromStr for Location {
    type Err = Invalid;

    fn from_str(text: &str) -> Result<Self, Invalid> {
        let refuse = || Invalid::new("location", "ledger.location.format").arg("value", text);
        match text.trim().split_once(':') {
            Some(("site", code)) => Location::site(AreaCode::parse(code).map_err(|_| refuse())?),
            Some(("transit", id)) => Ok(Location::Transit(
                Uuid::parse_str(id).map_err(|_| refuse())?,
            )),
            _ => Err(refuse()),
        }
    }
}

impl TryFrom<String> for Location {
    type Error = Invalid;
    fn try_from(text: String) -> Result<Self, Invalid> {
        text.parse()
    }
}

impl From<Location> for String {
    fn from(location: Location) -> String {
        location.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counties_and_towns_keep_stock_and_villages_do_not() {
        let site = |code| Location::site(AreaCode::parse(code).unwrap());
        assert!(site("340123").is_ok());
        let station = site("340123101").unwrap();
        assert_eq!(station.town(), Some(&AreaCode::parse("340123101").unwrap()));
        assert_eq!(site("340123").unwrap().town(), None);
        let refused = site("340123101203").unwrap_err();
        assert_eq!(
            (refused.field(), refused.code()),
            ("location", "ledger.location.level")
        );
    }

    #[test]
    fn locations_read_back_from_their_text() {
        let transit = Location::Transit(Uuid::from_u128(3));
        assert_eq!(transit.to_string().parse(), Ok(transit));
        assert_eq!(
            "site:340123101".parse::<Location>().unwrap().to_string(),
            "site:340123101000"
        );
        for wrong in [
            "",
            "site:3401231012",
            "site:340123101203",
            "transit:x",
            "warehouse:340123",
        ] {
            assert!(wrong.parse::<Location>().is_err(), "{wrong}");
        }
    }
}
