namespace Makemore.ML.Counting;

/// <summary>
/// A read-mostly map from n-gram keys (base-V numbers below 2^63) to values: open addressing with linear probing and a
/// multiplicative hash, so a lookup is one multiply, a shift and usually one probe. Scoring does one or more lookups per
/// character, where <see cref="Dictionary{TKey, TValue}"/> cost about 3× as much. Not thread-safe while being filled.
/// </summary>
internal sealed class NGramKeyTable<TValue>
    where TValue : unmanaged
{
    private readonly Slot[] _slots; // key and value side by side: a probe touches one cache line, not two
    private readonly int _shift;
    private readonly int _mask;

    /// <summary>Creates an empty table with room for <paramref name="capacity"/> keys at a load of at most one half.</summary>
    public NGramKeyTable(int capacity)
    {
        int size = 4;
        while (size < 2L * capacity)
            size *= 2;
        _slots = new Slot[size];
        _mask = size - 1;
        _shift = 64 - System.Numerics.BitOperations.Log2((uint)size);
    }

    /// <summary>How many keys the table holds.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes held by the table's arrays.</summary>
    public long Bytes => _slots.Length * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<Slot>();

    /// <summary>Sets the value of a key (adds it if absent).</summary>
    public void Set(ulong key, TValue value)
    {
        ref Slot slot = ref _slots[Find(key)];
        if (slot.Key == 0)
        {
            if (2 * (Count + 1) > _slots.Length)
                throw new InvalidOperationException($"The table was made for at most {_slots.Length / 2} keys.");
            slot.Key = key + 1;
            Count++;
        }
        slot.Value = value;
    }

    /// <summary>Finds the value of a key.</summary>
    public bool TryGetValue(ulong key, out TValue value)
    {
        ref Slot found = ref _slots[Find(key)];
        value = found.Value; // default in an empty slot
        return found.Key != 0;
    }

    /// <summary>Applies a function to every value in place (e.g. probabilities to log-probabilities).</summary>
    public void Transform(Func<TValue, TValue> f)
    {
        for (int i = 0; i < _slots.Length; i++)
            if (_slots[i].Key != 0)
                _slots[i].Value = f(_slots[i].Value);
    }

    /// <summary>Every key and its value, in slot order (the ONNX export writes them as a lookup table).</summary>
    public IEnumerable<KeyValuePair<ulong, TValue>> Entries()
    {
        for (int i = 0; i < _slots.Length; i++)
            if (_slots[i].Key != 0)
                yield return new(_slots[i].Key - 1, _slots[i].Value);
    }

    // The key's slot, or the empty slot where it would go.
    private int Find(ulong key)
    {
        ulong stored = key + 1;
        int slot = (int)((stored * 0x9E3779B97F4A7C15UL) >> _shift);
        while (_slots[slot].Key != 0 && _slots[slot].Key != stored)
            slot = (slot + 1) & _mask;
        return slot;
    }

    private struct Slot
    {
        public ulong Key; // the n-gram key + 1; 0 marks an empty slot (key 0, all boundary, is a valid n-gram)
        public TValue Value;
    }
}
