//! What is worth telling a user who is looking elsewhere: a generation the engine carried that
//! became ready or failed. The engine decides this once, when it lets go of the generation, so a
//! record sent again later (a poster, a star, a retried write) never announces it twice. Whether
//! the announcement is shown (the window's focus, the user's setting) is the shell's business.

use serde::Serialize;

use crate::generation::{Generation, Status};
use crate::problem::Kind;

/// How long the words of an announcement may be, in bytes: one line of a notification.
pub const WORDS_MAX_BYTES: usize = 60;

/// How an announced generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ready,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Announcement {
    /// The generation's id: what a click on the notification opens.
    pub id: String,
    pub outcome: Outcome,
    /// The title, else the prompt's first words, shortened at a word boundary ("…" when cut);
    /// empty for a recovered video, which has neither.
    pub words: String,
    /// Names a recovered video when there are no words.
    pub task_id: Option<String>,
}

/// The announcement for a generation the engine carried from `started` until it `settled`: only
/// a change into ready or failed, and not a failure the user chose (a discard or a cancel).
pub fn announcement(started: Status, settled: &Generation) -> Option<Announcement> {
    if started.is_final() {
        return None;
    }
    let outcome = match settled.status {
        Status::Ready => Outcome::Ready,
        Status::Failed
            if !settled
                .error
                .as_ref()
                .is_some_and(|e| matches!(e.kind, Kind::Discarded | Kind::Cancelled)) =>
        {
            Outcome::Failed
        }
        _ => return None,
    };
    let title = settled.title.as_deref().filter(|title| !title.trim().is_empty());
    Some(Announcement {
        id: settled.id.clone(),
        outcome,
        words: shortened(title.unwrap_or(&settled.request.prompt)),
        task_id: settled.task_id.clone(),
    })
}

/// `text`'s first words within `WORDS_MAX_BYTES`, with "…" when some were left out.
fn shortened(text: &str) -> String {
    let words = crate::export::first_words(text, WORDS_MAX_BYTES);
    if words.split_whitespace().eq(text.split_whitespace()) {
        words
    } else {
        format!("{words}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Problem;
    use crate::request::ValidRequest;

    fn generation(status: Status, prompt: &str) -> Generation {
        Generation {
            id: "g1".into(),
            external_task_id: "kd-1".into(),
            task_id: Some("task-1".into()),
            status,
            request: ValidRequest {
                prompt: prompt.into(),
                negative_prompt: None,
                model_name: "kling-v2-6".into(),
                mode: "std".into(),
                duration: "5".into(),
                aspect_ratio: "16:9".into(),
                cfg_scale: None,
                camera_control: None,
                sound: None,
                kind: Default::default(),
                image: None,
                image_tail: None,
                parent: None,
            },
            created_at: 0,
            updated_at: 0,
            finished_at: None,
            error: None,
            provider_message: None,
            remote_video_url: None,
            remote_video_id: None,
            video_duration: None,
            video_file: None,
            video_bytes: None,
            video_url: None,
            download_progress: None,
            callback_url: None,
            delivery: None,
            poster_file: None,
            poster_url: None,
            actions: Vec::new(),
            favorite: false,
            rejected: false,
            title: None,
            take: None,
            continue_until: None,
            image_url: None,
            image_tail_url: None,
        }
    }

    #[test]
    fn only_a_change_into_ready_or_failed_is_announced() {
        let ready = generation(Status::Ready, "a paper boat");
        let announced = announcement(Status::Downloading, &ready).unwrap();
        assert_eq!(announced.outcome, Outcome::Ready);
        assert_eq!(announced.id, "g1");
        assert_eq!(announced.words, "a paper boat");
        let mut failed = generation(Status::Failed, "a paper boat");
        failed.error = Some(Problem::new(Kind::TaskFailed));
        assert_eq!(
            announcement(Status::Processing, &failed).unwrap().outcome,
            Outcome::Failed
        );

        // Already final when the engine took it up: a record sent again is no news.
        assert_eq!(announcement(Status::Ready, &ready), None);
        assert_eq!(announcement(Status::Failed, &failed), None);
        // Neither ready nor failed.
        for status in [Status::NeedsCheck, Status::Expired, Status::Processing] {
            assert_eq!(
                announcement(Status::Submitting, &generation(status, "x")),
                None,
                "{status:?}"
            );
        }
    }

    #[test]
    fn a_failure_the_user_chose_is_not_announced() {
        for kind in [Kind::Discarded, Kind::Cancelled] {
            let mut failed = generation(Status::Failed, "a paper boat");
            failed.error = Some(Problem::new(kind));
            assert_eq!(announcement(Status::Queued, &failed), None, "{kind:?}");
        }
    }

    #[test]
    fn the_words_are_the_title_or_the_prompts_first_words_cut_between_words() {
        let long = "A lighthouse keeper climbing a spiral staircase, filmed from below at dawn in fog";
        let words = announcement(Status::Processing, &generation(Status::Ready, long))
            .unwrap()
            .words;
        assert_eq!(words, "A lighthouse keeper climbing a spiral staircase, filmed from…");
        assert!(words.len() <= WORDS_MAX_BYTES + '…'.len_utf8());

        let spaced = generation(Status::Ready, "  a paper\n\tboat  ");
        assert_eq!(announcement(Status::Processing, &spaced).unwrap().words, "a paper boat");

        let umlauts = "Überraschung für Jürgen: ein Fuchs läuft über die schneebedeckte Brücke";
        let words = announcement(Status::Processing, &generation(Status::Ready, umlauts))
            .unwrap()
            .words;
        assert_eq!(words, "Überraschung für Jürgen: ein Fuchs läuft über die…");

        let mut titled = generation(Status::Ready, long);
        titled.title = Some("Lighthouse, take 2".into());
        assert_eq!(
            announcement(Status::Processing, &titled).unwrap().words,
            "Lighthouse, take 2"
        );
        titled.title = Some("   ".into());
        assert!(announcement(Status::Processing, &titled)
            .unwrap()
            .words
            .starts_with("A lighthouse"));

        let recovered = generation(Status::Ready, "");
        let announced = announcement(Status::Processing, &recovered).unwrap();
        assert_eq!(
            (announced.words.as_str(), announced.task_id.as_deref()),
            ("", Some("task-1"))
        );
    }
}
