namespace Makemore.ML.Counting;

/// <summary>
/// A read-mostly map from n-gram keys (base-V numbers below 2^63) to doubles: open addressing with linear probing and a
/// multiplicative hash, so a lookup is one multiply, a shift and usually one probe. Scoring does one or more lookups per
/// character, where <see cref="Dictionary{TKey, TValue}"/> cost about 3× as much. Not thread-safe while being filled.
/// </summary>
internal sealed class NGramKeyTable
{
    private readonly ulong[] _keys; // key + 1; 0 marks an empty slot (key 0, all boundary, is a valid n-gram)
    private readonly double[] _values;
    private readonly int _shift;
    private readonly int _mask;

    /// <summary>Creates an empty table with room for <paramref name="capacity"/> keys at a load of at most one half.</summary>
    public NGramKeyTable(int capacity)
    {
        int size = 4;
        while (size < 2L * capacity)
            size *= 2;
        _keys = new ulong[size];
        _values = new double[size];
        _mask = size - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)size);
    }

    /// <summary>How many keys the table holds.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes held by the table's arrays.</summary>
    public long Bytes => _keys.Length * (long)(sizeof(ulong) + sizeof(double));

    /// <summary>Sets the value of a key (adds it if absent).</summary>
    public void Set(ulong key, double value)
    {
        int slot = Slot(key);
        _values[slot] = value;
        if (_keys[slot] == 0)
        {
            if (2 * (Count + 1) > _keys.Length)
                throw new InvalidOperationException($"The table was made for at most {_keys.Length / 2} keys.");
            _keys[slot] = key + 1;
            Count++;
        }
    }

    /// <summary>Finds the value of a key.</summary>
    public bool TryGetValue(ulong key, out double value)
    {
        ulong stored = key + 1;
        int slot = (int)((stored * 0x9E3779B97F4A7C15UL) >> _shift);
        while (true)
        {
            ulong found = _keys[slot];
            if (found == stored)
            {
                value = _values[slot];
                return true;
            }
            if (found == 0)
            {
                value = 0;
                return false;
            }
            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>Applies a function to every value in place (e.g. probabilities to log-probabilities).</summary>
    public void Transform(Func<double, double> f)
    {
        for (int i = 0; i < _keys.Length; i++)
            if (_keys[i] != 0)
                _values[i] = f(_values[i]);
    }

    private int Slot(ulong key)
    {
        ulong stored = key + 1;
        int slot = (int)((stored * 0x9E3779B97F4A7C15UL) >> _shift);
        while (_keys[slot] != 0 && _keys[slot] != stored)
            slot = (slot + 1) & _mask;
        return slot;
    }
}
