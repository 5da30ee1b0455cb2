/** The uptime reporters' wallets (ethers Wallet[]) this worker signs with. */
export const REPORTER_WALLETS = Symbol('REPORTER_WALLETS');

/** The topic of UptimeOracle.submitReport transactions. */
export const UPTIME_REPORT_TOPIC = 'oracle.report';
