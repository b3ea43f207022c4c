// The rules table exactly as `invoke("rules")` returns it (src-tauri/core/src/rules.rs, profile
// cometapi), for the node tests and for looking at the UI with a mock backend.
// rules.test.mjs checks that the model and price rows still match rules.rs.

const model = (name, label, modes, extra = {}) => ({
  name,
  label,
  modes,
  durations: ["5", "10"],
  camera: null,
  cfg_scale: false,
  sound: false,
  sound_needs_mode: null,
  ...extra,
});

const price = (model, mode, duration, usd_cents) => ({ model, mode, duration, usd_cents });

export const RULES = {
  limits: {
    profile: "comet_api",
    prompt_max_chars: 500,
    negative_prompt_max_chars: 200,
    aspect_ratios: ["16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3"],
    durations: ["5", "10"],
    modes: ["std", "pro"],
    cfg_scale_min: 0,
    cfg_scale_max: 1,
    cfg_scale_default: 0.5,
    camera_axis_min: -10,
    camera_axis_max: 10,
    default_aspect_ratio: "16:9",
    default_duration: "5",
    default_mode: "std",
  },
  models: [
    model("kling-v2-5-turbo", "Kling 2.5 Turbo", ["pro"]),
    model("kling-v2-6", "Kling 2.6", ["std", "pro"], { sound: true, sound_needs_mode: "pro" }),
    model("kling-v3", "Kling 3", ["std", "pro"], { sound: true }),
    model("kling-v2-1-master", "Kling 2.1 Master", ["pro"]),
    model("kling-v2-master", "Kling 2 Master", ["std", "pro"]),
    model("kling-v1-6", "Kling 1.6", ["std", "pro"], { cfg_scale: true }),
    model("kling-v1", "Kling 1", ["std", "pro"], { camera: { mode: "std", duration: "5" }, cfg_scale: true }),
  ],
  default_model: "kling-v2-5-turbo",
  default_model_mode: "pro",
  camera_types: ["simple", "down_back", "forward_up", "right_turn_forward", "left_turn_forward"],
  camera_axes: ["horizontal", "vertical", "pan", "tilt", "roll", "zoom"],
  prices: [
    price("kling-v1", "std", "5", 13),
    price("kling-v1", "std", "10", 26),
    price("kling-v1", "pro", "5", 46),
    price("kling-v1", "pro", "10", 92),
    price("kling-v1-6", "std", "5", 26),
    price("kling-v1-6", "std", "10", 53),
    price("kling-v1-6", "pro", "5", 46),
    price("kling-v1-6", "pro", "10", 92),
    price("kling-v2-master", null, "5", 132),
    price("kling-v2-master", null, "10", 264),
    price("kling-v2-1-master", null, "5", 132),
    price("kling-v2-1-master", null, "10", 264),
    price("kling-v2-5-turbo", "pro", "5", 33),
    price("kling-v2-5-turbo", "pro", "10", 66),
  ],
  prices_as_of: "2025-12",
};
