//! Finds libftpkit with pkg-config (`ftpkit.pc`, or `ftpkit-uninstalled.pc`
//! straight from a Meson build tree) and tells rustc how to link it.

use std::env;

/// The library versions these declarations match: 0.1.x (during 0.x a minor
/// release may change the ABI).
const MIN_VERSION: &str = "0.1.0";
const MAX_VERSION_EXCLUSIVE: &str = "0.2.0";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");

    let probe = pkg_config::Config::new()
        .range_version(MIN_VERSION..MAX_VERSION_EXCLUSIVE)
        .probe("ftpkit");

    match probe {
        Ok(lib) => {
            // Exposed to dependents as DEP_FTPKIT_INCLUDE / DEP_FTPKIT_VERSION.
            let include = env::join_paths(&lib.include_paths).unwrap_or_default();
            println!("cargo:include={}", include.to_string_lossy());
            println!("cargo:version={}", lib.version);
            // For tests/header.rs, which checks these declarations against
            // the header pkg-config points at.
            println!(
                "cargo:rustc-env=FTPKIT_SYS_INCLUDE_DIRS={}",
                include.to_string_lossy()
            );
        }
        Err(err) => {
            let path = env::var("PKG_CONFIG_PATH").unwrap_or_else(|_| "(unset)".to_owned());
            panic!(
                "\n\nftpkit-sys: libftpkit {MIN_VERSION} .. < {MAX_VERSION_EXCLUSIVE} was not found \
                 through pkg-config (package name `ftpkit`).\n\
                 \n\
                 * If ftpkit is installed, make sure `pkg-config --modversion ftpkit` works \
                 (install the development files, or add the folder holding ftpkit.pc to \
                 PKG_CONFIG_PATH).\n\
                 * To use a Meson build tree without installing, point PKG_CONFIG_PATH at \
                 <build>/meson-uninstalled (it holds ftpkit-uninstalled.pc) and LD_LIBRARY_PATH \
                 at <build>/capi when running.\n\
                 \n\
                 PKG_CONFIG_PATH={path}\n\
                 pkg-config said: {err}\n"
            );
        }
    }
}
