namespace Makemore.ML.Sampling;

/// <summary>
/// The decoding mask of a <see cref="NameConstraints"/>: a small automaton that tracks, for the name decoded so far, how
/// much of the required inner text was seen (absorbing once found) and the longest suffix that starts the required
/// ending (both as string-matching automata over ids), plus a table that says from which (state, length) a complete
/// name is still reachable within the length bounds. A character is allowed only when its successor state can still
/// complete; the end token only when the name is complete now. So every decoded name satisfies the constraints, and a
/// name never gets stuck: the suffix or inner text is forced exactly when the remaining length requires it.
/// </summary>
internal sealed class ConstraintAutomaton
{
    private readonly int _vocabularySize;
    private readonly int _suffixStates;       // suffix.Length + 1
    private readonly int[] _next;              // [state * vocabularySize + id] → state
    private readonly bool[] _final;            // [state]: contains the inner text and ends with the suffix
    private readonly bool[] _canComplete;      // [length * stateCount + state], length 0..max
    private readonly bool[] _characterAllowed; // [id]: not excluded, not the boundary
    private readonly int _stateCount;
    private readonly bool[] _allAllowed;       // [length * stateCount + state]: every symbol, the end included, is allowed

    public ConstraintAutomaton(int vocabularySize, bool[] excluded, int[] prefix, int[] suffix, int[] inside, int minLength, int maxLength)
    {
        _vocabularySize = vocabularySize;
        MinLength = minLength;
        MaxLength = maxLength;
        _characterAllowed = new bool[vocabularySize];
        for (int id = 1; id < vocabularySize; id++)
            _characterAllowed[id] = !excluded[id];
        int[,] insideNext = Matcher(inside, vocabularySize, absorbing: true);
        int[,] suffixNext = Matcher(suffix, vocabularySize, absorbing: false);
        _suffixStates = suffix.Length + 1;
        _stateCount = (inside.Length + 1) * _suffixStates;
        _next = new int[_stateCount * vocabularySize];
        _final = new bool[_stateCount];
        for (int i = 0; i <= inside.Length; i++)
            for (int s = 0; s <= suffix.Length; s++)
            {
                int state = i * _suffixStates + s;
                _final[state] = i == inside.Length && s == suffix.Length;
                for (int id = 0; id < vocabularySize; id++)
                    _next[state * vocabularySize + id] = insideNext[i, id] * _suffixStates + suffixNext[s, id];
            }
        // reachable[k][q]: a final state is reachable from q in exactly k allowed characters.
        var reachable = new bool[maxLength + 1][];
        reachable[0] = (bool[])_final.Clone();
        for (int k = 1; k <= maxLength; k++)
        {
            reachable[k] = new bool[_stateCount];
            for (int q = 0; q < _stateCount; q++)
                for (int id = 1; id < vocabularySize && !reachable[k][q]; id++)
                    reachable[k][q] = _characterAllowed[id] && reachable[k - 1][_next[q * vocabularySize + id]];
        }
        _canComplete = new bool[(maxLength + 1) * _stateCount];
        for (int length = 0; length <= maxLength; length++)
            for (int q = 0; q < _stateCount; q++)
                for (int k = Math.Max(0, minLength - length); k <= maxLength - length && !_canComplete[length * _stateCount + q]; k++)
                    _canComplete[length * _stateCount + q] = reachable[k][q];
        _allAllowed = new bool[(maxLength + 1) * _stateCount];
        Span<bool> allowed = vocabularySize <= 256 ? stackalloc bool[vocabularySize] : new bool[vocabularySize];
        for (int length = 0; length <= maxLength; length++)
            for (int q = 0; q < _stateCount; q++)
                _allAllowed[length * _stateCount + q] = Allowed(q, length, allowed) == vocabularySize;
        int start = 0;
        foreach (int id in prefix)
            start = Next(start, id);
        Start = start;
        Prefix = prefix;
    }

    /// <summary>The ids every name starts with.</summary>
    public int[] Prefix { get; }

    /// <summary>The state after the prefix.</summary>
    public int Start { get; }

    /// <summary>Fewest characters of a name.</summary>
    public int MinLength { get; }

    /// <summary>Most characters of a name.</summary>
    public int MaxLength { get; }

    /// <summary>The state after appending a character.</summary>
    public int Next(int state, int id) => _next[state * _vocabularySize + id];

    /// <summary>Whether a name in <paramref name="state"/> with <paramref name="length"/> characters can still be completed.</summary>
    public bool CanComplete(int state, int length) =>
        length <= MaxLength && _canComplete[length * _stateCount + state];

    /// <summary>Whether the name may end now.</summary>
    public bool MayEnd(int state, int length) => _final[state] && length >= MinLength;

    /// <summary>Whether the constraints allow every next symbol (the end token included): <see cref="Allowed"/> would write all true.</summary>
    public bool AllowsEverything(int state, int length) => length <= MaxLength && _allAllowed[length * _stateCount + state];

    /// <summary>Writes which next symbols (id 0: the end token) the constraints allow; returns how many.</summary>
    public int Allowed(int state, int length, Span<bool> allowed)
    {
        int count = 0;
        allowed[0] = MayEnd(state, length);
        if (allowed[0])
            count++;
        for (int id = 1; id < _vocabularySize; id++)
        {
            allowed[id] = _characterAllowed[id] && CanComplete(Next(state, id), length + 1);
            if (allowed[id])
                count++;
        }
        return count;
    }

    /// <summary>
    /// The fewest allowed characters that take <paramref name="state"/> to a complete name, whatever the length bounds
    /// (breadth-first over the states, lowest id first, so the answer is the same every time). There always is one: the
    /// rest of the required texts, whose characters are never excluded.
    /// </summary>
    public int[] ShortestCompletion(int state)
    {
        var previous = new (int State, int Id)[_stateCount];
        Array.Fill(previous, (-1, 0));
        previous[state] = (state, 0);
        var queue = new Queue<int>([state]);
        while (queue.TryDequeue(out int q))
        {
            if (_final[q])
            {
                var path = new List<int>();
                for (; q != state; q = previous[q].State)
                    path.Add(previous[q].Id);
                path.Reverse();
                return [.. path];
            }
            for (int id = 1; id < _vocabularySize; id++)
            {
                int next = Next(q, id);
                if (_characterAllowed[id] && previous[next].State < 0)
                {
                    previous[next] = (q, id);
                    queue.Enqueue(next);
                }
            }
        }
        throw new InvalidOperationException("No allowed characters complete the required texts; Compile checks their characters first.");
    }

    /// <summary>
    /// A string-matching automaton over ids: state j means the last j symbols are the first j of <paramref name="pattern"/>
    /// (the longest such j). With <paramref name="absorbing"/>, the full-match state never leaves (the text was seen).
    /// The boundary id 0 is never in a pattern, so it resets to 0; it is never appended anyway.
    /// </summary>
    private static int[,] Matcher(int[] pattern, int vocabularySize, bool absorbing)
    {
        int m = pattern.Length;
        var next = new int[m + 1, vocabularySize];
        for (int j = 0; j <= m; j++)
            for (int id = 0; id < vocabularySize; id++)
            {
                if (absorbing && j == m)
                {
                    next[j, id] = m;
                    continue;
                }
                // Longest k ≤ min(m, j + 1) such that pattern[..k] ends (pattern[..j] + id); names are short, so quadratic is fine.
                int k = Math.Min(m, j + 1);
                while (k > 0 && !EndsWithPrefix(pattern, j, id, k))
                    k--;
                next[j, id] = k;
            }
        return next;
    }

    /// <summary>Whether <c>pattern[..j] + id</c> ends with <c>pattern[..k]</c>.</summary>
    private static bool EndsWithPrefix(int[] pattern, int j, int id, int k)
    {
        if (pattern[k - 1] != id)
            return false;
        for (int t = 0; t < k - 1; t++)
            if (pattern[t] != pattern[j - (k - 1) + t])
                return false;
        return true;
    }
}
