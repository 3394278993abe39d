// Every row of the shared vectors verifies as its expect column says, through libcrypt (native).

import { describeVectors } from '../support/vectors-suite';

describeVectors('hash vectors through the native helper (libcrypt)', 'libcrypt');
