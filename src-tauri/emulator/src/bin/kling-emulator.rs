//! Standalone CometAPI/Kling emulator for manual testing, demo mode and scripts.
//!
//! Prints exactly one line, `kling-emulator listening on http://127.0.0.1:PORT`, so a script can
//! read the port when it asked for a random one.

use std::io::Write;
use std::process::ExitCode;

use kling_emulator::{Emulator, EmulatorConfig};

const USAGE: &str = r#"Usage: kling-emulator [--port N] [--key KEY] [--preset fast|realistic]
                      [--submitted-ms N] [--processing-ms N]

A local stand-in for CometAPI's Kling text2video API on 127.0.0.1, with its chat route
(POST /v1/chat/completions) answering the prompt coach with a fixed suggestion.

  --port N            port to listen on (default 0: a random free port)
  --key KEY           the only API key accepted (default: any Bearer key)
  --preset P          fast (200 ms / 1 s, default) or realistic (5-30 s / 60-300 s)
  --submitted-ms N    time a task stays submitted
  --processing-ms N   time a task stays processing
  -h, --help          show this help

Test control lives under /__emu/ (no auth):
  POST /__emu/reset                   forget tasks, faults and the logs
  GET|PUT /__emu/config               read, or change any subset of the config (JSON), e.g.
      {"seed": 7,
       "callbacks": {"duplicate": 1, "delay_ms": 500, "reorder": true,
                     "drop_probability": 0.1, "dead_url": "http://127.0.0.1:9/",
                     "webhook_secret": "whsec_..."},
       "variants": {"message": "SUCCEED|success|alternate",
                    "request_id": "uuid|base64|absent|alternate",
                    "task_id_format": "digits19|digits18|base64", "task_info_empty": true,
                    "optional_fields": true, "extra_fields": true, "repeat_status": true},
       "media": {"bytes_per_second": 50000, "disconnect_after_bytes": 4096,
                 "ttl_ms": 600000, "never_ending": true, "result_bytes": 524288000},
       "chat": {"outcome": "suggest|rate_limited|model_not_found|slow|empty|over_long",
                "slow_ms": 35000}}
      (callbacks, variants, media and chat merge field by field; null restores their defaults)
  POST /__emu/clock/advance?ms=N      move the virtual clock (due callbacks go out at once)
  GET /__emu/tasks                    task snapshots
  POST /__emu/tasks/{id}/set          {"status": "...", "message": "...", "video_url": "..."}
  GET|POST|DELETE /__emu/faults       list, queue one, clear; 20 % random API faults:
      {"route": "api", "probability": 0.2, "kind": {"type": "random_mix"}}
      routes: create, query, api (both), media, chat, any
      other kinds: status, redirect, created_but_lost, reset, delay, truncated,
      oversized {"bytes": N}, slow_body {"chunk_delay_ms": N}
  GET /__emu/requests                 every API and media request, with headers
  GET|DELETE /__emu/callbacks         every callback delivery attempt

A task with callback_url gets the task object POSTed on every status change.
Prompt tokens: #emu:fail #emu:stuck #emu:unknown-status #emu:no-video #emu:policy
"#;

struct Options {
    port: u16,
    config: EmulatorConfig,
}

fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut port = 0u16;
    let mut key = None;
    let mut config = EmulatorConfig::fast();
    let mut submitted = None;
    let mut processing = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("{flag}: not a number: {v}"));
        match flag {
            "--port" => {
                let v = value()?;
                port = v.parse().map_err(|_| format!("--port: not a port: {v}"))?;
            }
            "--key" => key = Some(value()?),
            "--preset" => {
                config = match value()?.as_str() {
                    "fast" => EmulatorConfig::fast(),
                    "realistic" => EmulatorConfig::realistic(),
                    other => return Err(format!("--preset: unknown preset {other}")),
                }
            }
            "--submitted-ms" => submitted = Some(number(value()?)?),
            "--processing-ms" => processing = Some(number(value()?)?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    config.api_key = key;
    // An explicit time is a fixed time, also under the realistic preset.
    if let Some(ms) = submitted {
        config.submitted_ms = ms;
        config.submitted_ms_max = None;
    }
    if let Some(ms) = processing {
        config.processing_ms = ms;
        config.processing_ms_max = None;
    }
    Ok(Some(Options { port, config }))
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("kling-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start_on(options.port, options.config).await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("kling-emulator: cannot listen on 127.0.0.1:{}: {e}", options.port);
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout();
    let _ = writeln!(out, "kling-emulator listening on {}", emulator.base_url());
    let _ = out.flush();
    stop_signal().await;
    emulator.shutdown();
    ExitCode::SUCCESS
}
