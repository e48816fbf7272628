/**
 * High-frequency function words per language: the cue a detector trained on sentences misses on
 * two-word titles. A hit adds evidence for its language; words shared by several languages count
 * for each. Malay and Indonesian lists hold the words that tell them apart.
 */
export const FUNCTION_WORDS: Record<string, string[]> = {
  en: ['the', 'and', 'of', 'to', 'is', 'in', 'for', 'with', 'this', 'that', 'you', 'are', 'was', 'be', 'on', 'by', 'from', 'our', 'your', 'my', 'we', 'they', 'it', 'not', 'have', 'has', 'will', 'all', 'an', 'at', 'who', 'what', 'their', 'his', 'her', 'were', 'been', 'which', 'about', 'just', 'only', 'one'],
  fr: ['le', 'la', 'les', 'de', 'des', 'du', 'et', 'est', 'un', 'une', 'pour', 'dans', 'sur', 'avec', 'que', 'qui', 'ne', 'pas', 'nous', 'vous', 'ils', 'elle', 'au', 'aux', 'ce', 'cette', 'son', 'sa', 'ses', 'leur', 'nos', 'votre', 'mais', 'ou', 'très', 'été', 'sont', 'était'],
  de: ['der', 'die', 'das', 'und', 'ist', 'nicht', 'mit', 'den', 'dem', 'ein', 'eine', 'einen', 'für', 'auf', 'von', 'zu', 'im', 'sich', 'auch', 'wir', 'ihr', 'sie', 'es', 'sind', 'war', 'wird', 'werden', 'noch', 'nur', 'unsere', 'unser', 'über', 'aus', 'bei', 'nach', 'oder', 'aber', 'wie'],
  es: ['el', 'la', 'los', 'las', 'de', 'del', 'y', 'que', 'en', 'un', 'una', 'por', 'para', 'con', 'es', 'no', 'se', 'su', 'sus', 'al', 'lo', 'como', 'más', 'pero', 'nuestro', 'nuestra', 'este', 'esta', 'son', 'fue', 'muy', 'hay', 'todos', 'sobre', 'también'],
  it: ['il', 'lo', 'la', 'gli', 'le', 'di', 'del', 'della', 'e', 'che', 'è', 'un', 'una', 'per', 'con', 'non', 'sono', 'nel', 'nella', 'al', 'alla', 'dei', 'delle', 'questo', 'questa', 'come', 'anche', 'più', 'ma', 'si'],
  pt: ['o', 'a', 'os', 'as', 'de', 'do', 'da', 'dos', 'das', 'e', 'que', 'em', 'um', 'uma', 'para', 'com', 'não', 'no', 'na', 'por', 'mais', 'ao', 'se', 'foi', 'são', 'seu', 'sua', 'como', 'também', 'muito', 'isso', 'este', 'esta', 'ele', 'ela', 'pelo', 'pela'],
  nl: ['de', 'het', 'een', 'en', 'van', 'is', 'dat', 'die', 'in', 'niet', 'op', 'te', 'met', 'voor', 'zijn', 'er', 'aan', 'ook', 'als', 'bij', 'maar', 'om', 'dan', 'nog', 'wij', 'worden', 'wordt', 'werd', 'uit', 'naar', 'deze', 'geen', 'heeft', 'hebben'],
  tr: ['bir', 've', 'bu', 'için', 'ile', 'da', 'de', 'çok', 'ne', 'olarak', 'olan', 'gibi', 'daha', 'kadar', 'ama', 'değil', 'var', 'yok', 'ben', 'sen', 'biz', 'siz', 'onlar', 'şu', 'her', 'en', 'mi', 'mı', 'mu', 'mü', 'diye', 'sonra', 'önce', 'olduğu', 'tarafından'],
  id: ['yang', 'dan', 'di', 'ini', 'itu', 'dengan', 'untuk', 'tidak', 'dari', 'dalam', 'akan', 'pada', 'juga', 'saya', 'kami', 'kita', 'bisa', 'saja', 'karena', 'uang', 'sudah', 'belum', 'mereka', 'adalah', 'ada', 'atau', 'kamu', 'ingin', 'mau', 'gratis', 'pemerintah', 'bagaimana', 'sangat', 'banget', 'nggak', 'gak', 'tapi', 'oleh', 'sebagai', 'telah'],
  ms: ['yang', 'dan', 'di', 'ini', 'itu', 'dengan', 'untuk', 'tidak', 'dari', 'dalam', 'akan', 'pada', 'juga', 'saya', 'kami', 'kita', 'boleh', 'sahaja', 'kerana', 'wang', 'sudah', 'belum', 'mereka', 'adalah', 'ada', 'atau', 'awak', 'hendak', 'mahu', 'percuma', 'kerajaan', 'bagaimana', 'sangat', 'tak', 'tetapi', 'oleh', 'sebagai', 'telah', 'daripada', 'ialah', 'iaitu', 'semasa', 'selepas', 'kepada'],
  sw: ['na', 'ya', 'wa', 'kwa', 'za', 'la', 'katika', 'ni', 'kuwa', 'hii', 'huo', 'hiyo', 'cha', 'vya', 'kama', 'lakini', 'pia', 'sana', 'watu', 'yake', 'wake', 'hapa', 'kwamba', 'baada', 'kutoka', 'hadi', 'wetu', 'zetu', 'ambao', 'ambayo'],
  so: ['iyo', 'oo', 'ka', 'ku', 'la', 'waa', 'ee', 'uu', 'ay', 'in', 'aan', 'ah', 'u', 'soo', 'ayaa', 'kale', 'waxaa', 'waxay', 'wuxuu', 'kuwa', 'inay', 'inuu', 'iska', 'lagu', 'loo', 'ugu', 'ayay', 'hadda', 'dhamaan', 'sidoo', 'markii', 'kadib', 'kasta', 'waxa', 'walaalaha', 'dalka'],
  ha: ['da', 'na', 'ta', 'ba', 'ya', 'su', 'wannan', 'wancan', 'cikin', 'kuma', 'shi', 'ita', 'mai', 'amma', 'domin', 'saboda', 'don', 'zuwa', 'daga', 'kan', 'game', 'akwai', 'babu', 'yana', 'tana', 'suna', 'muna', 'mun', 'sun', 'ake', 'wanda', 'wadanda', 'waɗanda', 'haka', 'kamar', 'sosai', 'yau', 'ranar', 'jihar', 'gwamnatin', 'mutane', 'yan', "'yan"],
  ru: ['и', 'в', 'не', 'на', 'что', 'с', 'по', 'это', 'как', 'а', 'но', 'из', 'за', 'для', 'от', 'к', 'он', 'она', 'они', 'мы', 'вы', 'все', 'его', 'её', 'их', 'был', 'была', 'были', 'будет', 'так', 'же', 'уже', 'только', 'наш', 'наши'],
  ar: ['في', 'من', 'على', 'إلى', 'الى', 'عن', 'هذا', 'هذه', 'الذي', 'التي', 'الذين', 'كان', 'قد', 'لا', 'ما', 'مع', 'أن', 'إن', 'ان', 'كل', 'بعد', 'قبل', 'حتى', 'أو', 'ثم', 'لم', 'لن', 'هو', 'هي', 'هم', 'نحن', 'يا', 'الله', 'عليه', 'منذ', 'بين', 'شو', 'ايش', 'وش', 'مش', 'اللي', 'ليش', 'كيف', 'زي', 'دي', 'ده', 'بس', 'هاد', 'هيك', 'واش', 'ديال'],
  fa: ['و', 'در', 'به', 'از', 'که', 'این', 'را', 'با', 'است', 'برای', 'آن', 'یک', 'خود', 'تا', 'بر', 'هم', 'نیز', 'شد', 'شده', 'می', 'های', 'ها', 'ای', 'بود', 'کرد', 'کند', 'شود', 'ما', 'شما', 'آنها', 'او', 'هر', 'اما', 'اگر', 'چه', 'دیگر', 'نیست', 'هست', 'همه', 'پس'],
  ur: ['کے', 'کی', 'کا', 'ہے', 'میں', 'اور', 'سے', 'کو', 'نے', 'پر', 'یہ', 'وہ', 'ہیں', 'تھا', 'تھی', 'تھے', 'نہیں', 'بھی', 'ایک', 'کہ', 'جو', 'گیا', 'گئی', 'گئے', 'کر', 'ہو', 'رہا', 'رہی', 'ہم', 'آپ', 'اپنے', 'لیے', 'لئے', 'ساتھ', 'کیا', 'والے', 'والی', 'جائے', 'ہوں'],
  ps: ['د', 'او', 'په', 'چې', 'دا', 'له', 'سره', 'کې', 'ته', 'یو', 'هم', 'دي', 'وي', 'شي', 'شو', 'دې', 'ده', 'زه', 'موږ', 'تاسو', 'هغه', 'دوی', 'نه', 'لپاره', 'کوي', 'وو', 'ګټه', 'ډېر', 'څه', 'ولې', 'پر', 'تر', 'خو', 'بیا', 'ټول'],
};

let index: Map<string, string[]> | null = null;

/** word → languages it is a function word of */
export function functionWordIndex(): Map<string, string[]> {
  if (index) return index;
  const m = new Map<string, string[]>();
  for (const [lang, words] of Object.entries(FUNCTION_WORDS)) {
    for (const w of words) {
      const key = w.normalize('NFKC').toLowerCase();
      const list = m.get(key) ?? [];
      if (!list.includes(lang)) list.push(lang);
      m.set(key, list);
    }
  }
  index = m;
  return m;
}
