//! The rate card: the shipped price table (`rules::PRICES`) with the user's own prices over it.
//!
//! CometAPI publishes no price for some models (2.6, 3), and prices change, so the user may enter
//! the price from their own bill for any row the rules table allows; that price wins, and is
//! marked as theirs wherever it is shown. A row with neither price is unknown: `None`, never zero.
//! Every figure is an estimate, and the ledger prices past videos with today's card.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::{Error, Result};
use crate::library::Library;
use crate::problem::Kind;
use crate::request::{self, GenerationRequest};
use crate::rules::{self, COMETAPI_LIMITS, MODELS};

pub use crate::rules::PRICES_AS_OF;

/// The highest price one video may be given: far above any Kling price, low enough to catch a
/// price typed in cents where dollars were meant twice over.
pub const MAX_PRICE_CENTS: f64 = 10_000.0;

/// One row of the rate card: what a video of this model, mode, duration and sound costs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PriceKey {
    pub model: String,
    pub mode: String,
    pub duration: String,
    pub sound: bool,
}

impl PriceKey {
    pub fn new(model: &str, mode: &str, duration: &str, sound: bool) -> PriceKey {
        PriceKey {
            model: model.to_owned(),
            mode: mode.to_owned(),
            duration: duration.to_owned(),
            sound,
        }
    }

    /// The row a request is priced by, with the defaults `request::validate` fills in. Fails as
    /// validation would for a model, mode, duration or sound the rules table does not allow.
    pub fn of_request(request: &GenerationRequest) -> Result<PriceKey> {
        let (model, mode, duration) = request::chosen_row(request, &COMETAPI_LIMITS)?;
        let sound = request::validate_sound(request.sound.as_deref(), model, mode)?;
        Ok(PriceKey {
            model: model.name.to_owned(),
            mode: mode.to_owned(),
            duration: duration.to_owned(),
            sound: sound.as_deref() == Some("on"),
        })
    }

    /// Whether the rules table allows this combination, so a user price for it can be asked for.
    fn allowed(&self) -> bool {
        rules::model(&self.model).is_some_and(|model| {
            model.modes.contains(&self.mode.as_str())
                && model.durations.contains(&self.duration.as_str())
                && (!self.sound || model.sound_allowed(&self.mode))
        })
    }

    /// The shipped table's price. CometAPI's list prices silent videos: a video with sound has
    /// only the user's price.
    fn shipped_cents(&self) -> Option<f64> {
        if self.sound {
            return None;
        }
        rules::price_cents(&self.model, &self.mode, &self.duration).map(f64::from)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// From the price table shipped with the app (`PRICES_AS_OF`).
    Shipped,
    /// Entered by the user from their own bill.
    User,
}

/// A known price, and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Priced {
    pub usd_cents: f64,
    pub source: PriceSource,
}

/// A price the user entered, as the library keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserPrice {
    #[serde(flatten)]
    pub key: PriceKey,
    pub usd_cents: f64,
    /// Unix ms (UTC).
    pub updated_at: i64,
}

/// One row of the price table in Settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateRow {
    pub model: &'static str,
    pub model_label: &'static str,
    pub mode: &'static str,
    pub duration: &'static str,
    pub sound: bool,
    pub shipped_cents: Option<f64>,
    pub user_cents: Option<f64>,
}

/// The price table in Settings, with the date of the shipped prices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateTable {
    pub rows: Vec<RateRow>,
    pub prices_as_of: &'static str,
    /// The highest price and budget the user may enter, for the message when a field holds none.
    pub max_price_cents: f64,
    pub max_budget_cents: f64,
}

/// The cost line before Generate: one take's price and all of them together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostEstimate {
    /// `None`: the price is unknown (say so, never "free").
    pub per_take: Option<Priced>,
    pub takes: u32,
    pub total_cents: Option<f64>,
    /// Whose price it is: the shipped table's or the user's; `None` when unknown.
    pub source: Option<PriceSource>,
    pub prices_as_of: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct RateCard {
    user: HashMap<PriceKey, f64>,
}

impl RateCard {
    pub fn load(library: &Library) -> Result<RateCard> {
        Ok(RateCard::with_user_prices(library.user_prices()?))
    }

    pub(crate) fn with_user_prices(prices: Vec<UserPrice>) -> RateCard {
        RateCard {
            user: prices.into_iter().map(|price| (price.key, price.usd_cents)).collect(),
        }
    }

    /// The user's price if they entered one, else the shipped one, else unknown.
    pub fn price(&self, key: &PriceKey) -> Option<Priced> {
        let user = self.user.get(key).map(|&usd_cents| Priced {
            usd_cents,
            source: PriceSource::User,
        });
        user.or_else(|| {
            key.shipped_cents().map(|usd_cents| Priced {
                usd_cents,
                source: PriceSource::Shipped,
            })
        })
    }

    /// Every model, mode, duration and sound the rules table allows, in its order: also the rows
    /// CometAPI publishes no price for, so the user can enter one.
    pub fn rows(&self) -> Vec<RateRow> {
        let mut rows = Vec::new();
        for model in MODELS {
            for &mode in model.modes {
                let sounds: &[bool] = if model.sound_allowed(mode) {
                    &[false, true]
                } else {
                    &[false]
                };
                for &duration in model.durations {
                    for &sound in sounds {
                        let key = PriceKey {
                            model: model.name.to_owned(),
                            mode: mode.to_owned(),
                            duration: duration.to_owned(),
                            sound,
                        };
                        rows.push(RateRow {
                            model: model.name,
                            model_label: model.label,
                            mode,
                            duration,
                            sound,
                            shipped_cents: key.shipped_cents(),
                            user_cents: self.user.get(&key).copied(),
                        });
                    }
                }
            }
        }
        rows
    }

    pub fn table(&self) -> RateTable {
        RateTable {
            rows: self.rows(),
            prices_as_of: PRICES_AS_OF,
            max_price_cents: MAX_PRICE_CENTS,
            max_budget_cents: super::budget::MAX_BUDGET_CENTS,
        }
    }

    /// What `takes` videos of `request` would cost. Options the request cannot have (the form
    /// says why where they are chosen) price as unknown.
    pub fn estimate(&self, request: &GenerationRequest, takes: u32) -> CostEstimate {
        let per_take = PriceKey::of_request(request).ok().and_then(|key| self.price(&key));
        CostEstimate {
            per_take,
            takes,
            total_cents: per_take.map(|p| p.usd_cents * f64::from(takes)),
            source: per_take.map(|p| p.source),
            prices_as_of: PRICES_AS_OF,
        }
    }
}

/// A price the user may enter for `key`: a row the rules table allows, and an amount above zero
/// and at most `MAX_PRICE_CENTS`.
pub(crate) fn checked_price(key: &PriceKey, usd_cents: f64) -> Result<f64> {
    if !key.allowed() {
        return Err(Error::invalid_with(
            Kind::PriceKeyUnknown,
            "price",
            &[
                ("model", json!(key.model)),
                ("mode", json!(key.mode)),
                ("duration", json!(key.duration)),
                ("sound", json!(key.sound)),
            ],
        ));
    }
    if !usd_cents.is_finite() || usd_cents <= 0.0 || usd_cents > MAX_PRICE_CENTS {
        return Err(Error::invalid_with(
            Kind::PriceInvalid,
            "usd_cents",
            &[("min", json!(0)), ("max", json!(MAX_PRICE_CENTS / 100.0))],
        ));
    }
    Ok(usd_cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_offers_every_allowed_row_and_only_those() {
        let rows = RateCard::default().rows();
        let with_sound: Vec<_> = rows.iter().filter(|r| r.sound).map(|r| (r.model, r.mode)).collect();
        assert!(with_sound.contains(&("kling-v2-6", "pro")));
        assert!(
            !with_sound.contains(&("kling-v2-6", "std")),
            "2.6 has sound in pro only"
        );
        assert!(with_sound.contains(&("kling-v3", "std")));
        let unpriced = rows
            .iter()
            .filter(|r| r.model == "kling-v3")
            .all(|r| r.shipped_cents.is_none());
        assert!(unpriced, "Kling 3 has no shipped price, and is on the card anyway");
        assert!(rows
            .iter()
            .all(|r| PriceKey::new(r.model, r.mode, r.duration, r.sound).allowed()));
        let turbo = rows
            .iter()
            .find(|r| (r.model, r.mode, r.duration) == ("kling-v2-5-turbo", "pro", "10"))
            .unwrap();
        assert_eq!((turbo.shipped_cents, turbo.user_cents), (Some(66.0), None));
    }

    #[test]
    fn the_users_price_wins_and_unknown_stays_unknown() {
        let ours = PriceKey::new("kling-v2-5-turbo", "pro", "5", false);
        let card = RateCard::with_user_prices(vec![UserPrice {
            key: ours.clone(),
            usd_cents: 29.5,
            updated_at: 1,
        }]);
        assert_eq!(
            card.price(&ours),
            Some(Priced {
                usd_cents: 29.5,
                source: PriceSource::User
            })
        );
        assert_eq!(
            card.price(&PriceKey::new("kling-v1", "pro", "10", false))
                .map(|p| p.source),
            Some(PriceSource::Shipped)
        );
        assert_eq!(card.price(&PriceKey::new("kling-v3", "pro", "5", true)), None);
    }

    #[test]
    fn a_request_is_priced_by_its_filled_in_row_times_its_takes() {
        let card = RateCard::default();
        let plain = card.estimate(
            &GenerationRequest {
                prompt: String::new(),
                ..Default::default()
            },
            4,
        );
        assert_eq!(
            plain.total_cents,
            Some(132.0),
            "four takes of the default 2.5 Turbo, pro, 5 s"
        );
        assert_eq!(plain.source, Some(PriceSource::Shipped));
        let with_sound = GenerationRequest {
            model_name: Some("kling-v2-6".into()),
            mode: Some("pro".into()),
            sound: Some("on".into()),
            ..Default::default()
        };
        assert!(PriceKey::of_request(&with_sound).unwrap().sound);
        let unknown = card.estimate(&with_sound, 2);
        assert_eq!(
            (unknown.per_take, unknown.total_cents, unknown.source),
            (None, None, None)
        );
    }

    #[test]
    fn prices_outside_the_range_or_for_rows_that_do_not_exist_are_refused() {
        let turbo = PriceKey::new("kling-v2-5-turbo", "pro", "5", false);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_PRICE_CENTS + 0.01] {
            let problem = checked_price(&turbo, bad).unwrap_err().problem();
            assert_eq!(problem.kind, "price_invalid");
            assert_eq!(problem.params["max"], json!(100.0));
        }
        assert_eq!(checked_price(&turbo, MAX_PRICE_CENTS).unwrap(), MAX_PRICE_CENTS);
        for missing in [
            PriceKey::new("kling-v2-5-turbo", "std", "5", false),
            PriceKey::new("kling-v1", "std", "5", true),
            PriceKey::new("kling-v2-6", "std", "5", true),
            PriceKey::new("kling-v9", "pro", "5", false),
        ] {
            assert_eq!(
                checked_price(&missing, 30.0).unwrap_err().problem().kind,
                "price_key_unknown"
            );
        }
    }
}
