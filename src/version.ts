/** The release, kept equal to package.json's version (a test checks it). */
export const VERSION = '0.1.0';

/** What mcastctl's requests and exec upgrades say in User-Agent (client-go's form: name/version (os/arch)). */
export const USER_AGENT = `mcastctl/${VERSION} (${process.platform}/${process.arch})`;
