import { parseAddress } from '../../rpc/address.ts';

/** Whether `address` is a dialable `tcp@`, `http@` or `unix@` address. */
export function isValidAddress(address: string): boolean {
  try {
    parseAddress(address);
    return true;
  } catch {
    return false;
  }
}
