/**
 * Arabizi (Arabic in Latin letters with digits for ع ح خ ء ق): no statistical detector answers
 * Arabic for it. Two cues: tokens mixing letters with the Arabizi digits, and frequent Arabizi words
 * (chat words, dialect function words) that are not words of the other Latin-script languages.
 */
const WORDS = new Set([
  'ana', 'enta', 'enti', 'inta', 'inti', 'howa', 'huwa', 'heya', 'hiya', 'ehna', 'e7na', 'i7na', 'entom', 'homma', 'hum',
  'wallah', 'wallahi', 'walla', 'yalla', 'yallah', 'inshallah', 'insha2allah', 'inshalla', 'mashallah', 'masha2allah', 'alhamdulillah', 'alhamdulilah', '7amdellah', 'hamdellah', 'subhanallah', 'bismillah', 'astaghfirullah',
  'habibi', 'habibti', '7abibi', '7abibti', 'shukran', 'shokran', 'afwan', '3afwan', 'marhaba', 'ahlan', 'sahlan', 'salam', 'salaam', 'ma3a', 'ma3', 'ma3ak', 'ma3ana',
  '3ala', '3la', '3an', '3and', '3ando', 'fi', 'fe', 'fih', 'feeh', 'min', 'mn', 'illi', 'elli', 'lli', 'mesh', 'msh', 'mish', 'mush', 'ma', 'la2', 'aywa', 'aiwa', 'eh', 'ah', 'leh', 'lesh', 'laish', 'keda', 'kida', 'kidda', 'kteer', 'kter', 'ktir', 'shi', 'shou', 'shu', 'eish', 'esh', 'ba3d', 'b3d', 'ba3den', 'abl', '2abl', 'hal2', 'halla2', 'dilwa2ti', 'delwa2ty', 'bas', 'khalas', '5alas', 'ya3ni', 'yani', 'tayeb', 'tayyib', 'sa7', 'mazbout', 'ktiir',
  'badde', 'baddi', 'bidi', 'bade', '3ayez', '3ayz', '3ayza', 'raye7', 'rayeh', 'gay', 'ta3al', 'ta3ala', 'ro7', 'shoo',
  'el', 'al', 'wel', 'wal', 'bel', 'fel', 'lel', 'ya', 'wa', 'w', 'b', 'allah', 'akbar', 'allahu', 'rabbi', 'rabena', 'rabbena',
  'dawla', 'dawlah', 'dawlat', 'islamiya', 'islamiyya', 'islamiyyah', 'khilafa', 'khilafah', '5ilafa', '5elafa', 'mujahid', 'mujahidin', 'mujahideen', 'moujahidin', 'shaheed', 'shahid', 'chahid', 'shuhada', 'baqiya', 'baqiyah', 'ba2iya', 'tatamaddad', 'tatamadad', 'ghazwa', 'ghazwat', 'ansar', 'ikhwan', 'ikhwa', 'ukhti', 'akhi', '5ayy', 'akhoya', 'ummah', 'umma', 'kuffar', 'kufar', 'murtad', 'murtadin', 'taghut', 'tawaghit', 'nafir', 'hijra', 'hijrah', 'bay3a', 'baya', 'bay3ah', 'jund', 'junud', 'shabab', 'ya3tik', 'el3afye', 'zalameh', 'zalame', 'habibna',
]);

/** Words that are frequent in Latin-script languages raqib supports and also look like Arabizi. */
const SHARED = new Set(['ma', 'ya', 'wa', 'fi', 'min', 'el', 'al', 'ah', 'eh', 'bas', 'b', 'w', 'ana', 'gay', 'shi', 'hum', 'esh', 'abl']);

const DIGIT_MIX = /^(?=.*[a-z])(?=.*[235679])[a-z235679']+$/i;

export interface ArabiziEvidence {
  /** share of tokens that are Arabizi-looking (digit mix or Arabizi word) */
  share: number;
  digitTokens: number;
  wordTokens: number;
  tokens: number;
}

export function arabiziEvidence(text: string): ArabiziEvidence {
  const tokens = text.toLowerCase().split(/[^a-z0-9']+/).filter((t) => t.length > 0 && /[a-z]/.test(t));
  let digit = 0;
  let words = 0;
  let strong = 0;
  for (const t of tokens) {
    if (DIGIT_MIX.test(t) && !/^\d+(st|nd|rd|th|s|k|m|am|pm|d)$/i.test(t)) digit++;
    else if (WORDS.has(t)) {
      words++;
      if (!SHARED.has(t)) strong++;
    }
  }
  const n = tokens.length;
  return { share: n ? (digit + words) / n : 0, digitTokens: digit, wordTokens: strong, tokens: n };
}

export function isArabizi(e: ArabiziEvidence): boolean {
  if (e.tokens === 0) return false;
  if (e.digitTokens >= 2) return true;
  if (e.digitTokens >= 1 && e.share >= 0.3) return true;
  return e.wordTokens >= 1 && e.share >= 0.5 && e.wordTokens + e.digitTokens >= Math.min(2, e.tokens);
}
