// Two (or more) players that move as one: play, pause, seek and speed on any of them, or through
// the controller, reach all of them. A clip shorter than the others waits at its end. Seeks the
// controller makes itself are remembered, so their events are not taken for the user's and echoed
// back (no feedback loop). Works on anything shaped like an HTMLMediaElement; no DOM lookups.

/** A seek event this close to the position the controller asked for is the controller's own. */
const OWN_SEEK_S = 0.05;
/** Within a frame (at 30 fps) players are in step; a seek by hand leaves the others exactly there. */
export const FRAME_S = 1 / 30;
/** While playing, a player further than this from the leader is put back in step. Smaller drift is
 * let be: each correction is a seek, which stutters. */
export const DRIFT_S = 0.12;

const durationOf = (player) => (Number.isFinite(player.duration) && player.duration > 0 ? player.duration : null);

/** Where a player of `duration` should be when the others are at `time`: its end at most. */
export function positionFor(time, duration) {
  const clamped = Math.max(0, Number(time) || 0);
  return duration == null ? clamped : Math.min(clamped, duration);
}

/** The longest of the known durations, or null while none is known. */
export function longest(durations) {
  const known = durations.filter((duration) => duration != null);
  return known.length ? Math.max(...known) : null;
}

/**
 * createMediaSync(players, {onChange}): onChange() is called whenever what the controls show may
 * have changed (time, playing, speed, duration). Returns {play, pause, toggle, seek, setRate,
 * state, destroy}.
 */
export function createMediaSync(players, { onChange = () => {} } = {}) {
  /** Per player: the position the controller last sent it to, until its seek has settled. */
  const asked = new Map();
  let rate = players[0]?.playbackRate || 1;
  const listeners = [];

  const others = (player) => players.filter((other) => other !== player);
  const atEnd = (player) => player.ended || (durationOf(player) != null && player.currentTime >= durationOf(player) - 0.01);

  function moveTo(player, time) {
    const target = positionFor(time, durationOf(player));
    if (Math.abs(player.currentTime - target) < 1e-3) return;
    asked.set(player, target);
    player.currentTime = target;
  }

  const isOwnSeek = (player) => asked.has(player) && Math.abs(player.currentTime - asked.get(player)) <= OWN_SEEK_S;

  /** The player the others follow: the furthest along that is still running. */
  function leader() {
    const running = players.filter((player) => !atEnd(player));
    const pool = running.length ? running : players;
    return pool.reduce((best, player) => (player.currentTime > best.currentTime ? player : best), pool[0]);
  }

  function state() {
    const duration = longest(players.map(durationOf));
    return {
      paused: players.every((player) => player.paused || atEnd(player)),
      time: leader()?.currentTime ?? 0,
      duration,
      rate,
    };
  }

  function listen(player, type, handler) {
    player.addEventListener(type, handler);
    listeners.push(() => player.removeEventListener(type, handler));
  }

  for (const player of players) {
    // A seek made on this player itself (by hand, by a test, by the keyboard on the video): the
    // others go to the same moment. The controller's own seeks are recognised and not echoed.
    const followSeek = () => {
      if (isOwnSeek(player)) return;
      for (const other of others(player)) moveTo(other, player.currentTime);
      onChange();
    };
    listen(player, "seeking", followSeek);
    listen(player, "seeked", () => {
      if (isOwnSeek(player)) {
        asked.delete(player);
        onChange();
        return;
      }
      // A seek whose "seeking" was missed, or that landed elsewhere than the others: put them there.
      if (others(player).some((other) => Math.abs(other.currentTime - positionFor(player.currentTime, durationOf(other))) > FRAME_S)) {
        followSeek();
      } else {
        onChange();
      }
    });
    listen(player, "ratechange", () => {
      if (player.playbackRate === rate) return;
      rate = player.playbackRate;
      for (const other of others(player)) if (other.playbackRate !== rate) other.playbackRate = rate;
      onChange();
    });
    listen(player, "play", () => {
      for (const other of others(player)) {
        if (other.paused && !atEnd(other)) other.play()?.catch?.(() => {});
      }
      onChange();
    });
    listen(player, "pause", () => {
      // A clip that reached its end pauses by itself: the longer ones go on.
      if (!atEnd(player)) for (const other of others(player)) if (!other.paused) other.pause();
      onChange();
    });
    listen(player, "timeupdate", () => {
      if (player === leader() && !player.paused) {
        for (const other of others(player)) {
          if (other.paused || atEnd(other) || asked.has(other)) continue;
          const target = positionFor(player.currentTime, durationOf(other));
          if (Math.abs(other.currentTime - target) > DRIFT_S) moveTo(other, target);
        }
      }
      onChange();
    });
    for (const type of ["loadedmetadata", "durationchange", "ended"]) listen(player, type, () => onChange());
  }

  function seek(time) {
    for (const player of players) moveTo(player, time);
    onChange();
  }

  function play() {
    const { duration } = state();
    // Played to the end: from the start again, as a single player does.
    if (players.every(atEnd) && duration != null) seek(0);
    for (const player of players) {
      if (!atEnd(player)) player.play()?.catch?.(() => {});
    }
  }

  function pause() {
    for (const player of players) if (!player.paused) player.pause();
  }

  return {
    play,
    pause,
    toggle() {
      if (state().paused) play();
      else pause();
    },
    seek,
    setRate(next) {
      rate = Number(next) || 1;
      for (const player of players) {
        // The default too: loading a video sets its speed back to the default.
        player.defaultPlaybackRate = rate;
        player.playbackRate = rate;
      }
      onChange();
    },
    state,
    destroy() {
      for (const remove of listeners.splice(0)) remove();
      asked.clear();
    },
  };
}
