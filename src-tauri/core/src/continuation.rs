//! When a finished clip can be continued (video-extend), and for how long: the provider keeps a
//! clip `EXTEND_LIMITS.parent_kept_days`, a chain has a total length, and only some models extend.

use serde_json::json;

use crate::error::{Error, Result};
use crate::generation::{Generation, Status};
use crate::problem::Kind;
use crate::request::{Parent, ParentClip};
use crate::rules::{self, EXTEND_LIMITS};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Whether the provider would continue `parent` now: a ready clip it still keeps, of a model that
/// continues, with room left in the chain's length. Each refusal names what stands in the way.
pub fn extendable(parent: &Generation, now_ms: i64) -> Result<ParentClip> {
    let (task_id, video_id) = provider_ids(parent, now_ms)?;
    Ok(ParentClip {
        parent: Parent {
            generation_id: parent.id.clone(),
            task_id: task_id.to_owned(),
            video_id: video_id.to_owned(),
        },
        request: parent.request.clone(),
    })
}

/// `extendable`'s judgement without copying anything: the provider's task and video ids of a clip
/// it would continue now. Every card asks this, so it only borrows.
fn provider_ids(parent: &Generation, now_ms: i64) -> Result<(&str, &str)> {
    let field = "parent_id";
    let (Status::Ready, Some(task_id), Some(video_id)) = (parent.status, &parent.task_id, &parent.remote_video_id)
    else {
        return Err(Error::invalid(Kind::ParentNotReady, field));
    };
    let model = &parent.request.model_name;
    if !rules::model(model).is_some_and(|m| m.extend) {
        return Err(Error::invalid_with(
            Kind::ParentNotExtendable,
            field,
            &[("model", json!(model))],
        ));
    }
    if now_ms >= kept_until(parent) {
        return Err(Error::invalid_with(
            Kind::ParentTooOld,
            field,
            &[("days", json!(EXTEND_LIMITS.parent_kept_days))],
        ));
    }
    let seconds = parent.video_seconds() + EXTEND_LIMITS.adds_seconds;
    if seconds > EXTEND_LIMITS.max_total_seconds {
        return Err(Error::invalid_with(
            Kind::ExtendTooLong,
            field,
            &[
                ("seconds", json!(seconds)),
                ("max", json!(EXTEND_LIMITS.max_total_seconds)),
            ],
        ));
    }
    Ok((task_id, video_id))
}

/// Until when (ms since the epoch) the provider keeps the clip, counted from the task's creation:
/// the earliest moment it can have started.
fn kept_until(generation: &Generation) -> i64 {
    generation.created_at + EXTEND_LIMITS.parent_kept_days * DAY_MS
}

/// What a card offers: until when the clip can be continued, when it can be now.
pub fn offered_until(generation: &Generation, now_ms: i64) -> Option<i64> {
    provider_ids(generation, now_ms).ok().map(|_| kept_until(generation))
}
