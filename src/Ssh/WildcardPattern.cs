namespace Gateway.Ssh;

/// <summary>
/// OpenSSH-style glob (<c>*</c> any run, <c>?</c> one character), case-sensitive. Iterative with a
/// single backtrack point, so its cost is O(pattern × text) even for hostile patterns.
/// </summary>
public static class WildcardPattern
{
    public static bool Matches(string pattern, string text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
