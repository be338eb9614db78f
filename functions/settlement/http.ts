// HTTP entry point of the settlement domain (资金结算, api.md "Banks and settlement"). Thin: bank
// routes verify the X-HPF-Bank signature over the raw body first, then parse it.
import { httpHandler } from '../../shared/http.ts';

export const handler = httpHandler('settlement', {});
