// Every row of the shared vectors verifies as its expect column says, through the fallback
// engines (own node:crypto code, bcryptjs, Perl's crypt).

import { describeVectors } from '../support/vectors-suite';

// Read when the first hash is verified: the modules under test then skip the native helper.
process.env.CHECKPASSWORD_NATIVE = 'off';

describeVectors('hash vectors without the native helper', 'fallback');
