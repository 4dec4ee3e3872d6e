//! `config_file`: the text of a `--config` file, through `capital_server::config::from_toml`.
//!
//! Checks: no panic, only `Ok` or `Err`; a config that is `Ok` passes `validate()`; and what
//! `capital config` prints for it (`Config::describe`, "the settings in effect as TOML") reads
//! back as a config file with the same settings.

#![no_main]

use capital_server::config::from_toml;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(config) = from_toml(&text) else { return };
    if let Err(err) = config.validate() {
        panic!("{text:?} was accepted, but does not validate: {err}");
    }
    let printed = config.describe(&[]);
    match from_toml(&printed) {
        Ok(again) => assert_eq!(again.describe(&[]), printed, "from {text:?}"),
        Err(err) => {
            panic!("from {text:?}, `capital config` printed\n{printed}\nwhich fails: {err}")
        }
    }
});
