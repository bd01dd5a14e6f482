using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Mesh.Config.Model.Common;

/// <summary>
/// An immutable string-keyed map with value equality (order-insensitive) that keeps the
/// insertion order for serialization, so output is stable and matches the input.
/// </summary>
public sealed class ValueMap<TValue> : IReadOnlyDictionary<string, TValue>, IEquatable<ValueMap<TValue>>
{
    public static ValueMap<TValue> Empty { get; } = new([]);

    private readonly KeyValuePair<string, TValue>[] _ordered;
    private readonly Dictionary<string, TValue> _lookup;

    public ValueMap(IEnumerable<KeyValuePair<string, TValue>> entries)
    {
        _lookup = new Dictionary<string, TValue>(StringComparer.Ordinal);
        var ordered = new List<KeyValuePair<string, TValue>>();
        foreach (var entry in entries)
        {
            if (_lookup.TryAdd(entry.Key, entry.Value))
            {
                ordered.Add(entry);
            }
            else
            {
                // Last write wins, like a JSON object; keep the first position.
                _lookup[entry.Key] = entry.Value;
                var index = ordered.FindIndex(e => e.Key == entry.Key);
                ordered[index] = entry;
            }
        }

        _ordered = [.. ordered];
    }

    public TValue this[string key] => _lookup[key];

    public IEnumerable<string> Keys => _ordered.Select(e => e.Key);

    public IEnumerable<TValue> Values => _ordered.Select(e => e.Value);

    public int Count => _ordered.Length;

    public bool IsEmpty => _ordered.Length == 0;

    public bool ContainsKey(string key) => _lookup.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TValue value) => _lookup.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, TValue>>)_ordered).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ValueMap<TValue>? other)
    {
        if (other is null || other.Count != Count)
        {
            return false;
        }

        var comparer = EqualityComparer<TValue>.Default;
        foreach (var (key, value) in _ordered)
        {
            if (!other._lookup.TryGetValue(key, out var otherValue) || !comparer.Equals(value, otherValue))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is ValueMap<TValue> other && Equals(other);

    public override int GetHashCode()
    {
        // Order-insensitive: XOR of entry hashes.
        var hash = 0;
        foreach (var (key, value) in _ordered)
        {
            hash ^= HashCode.Combine(key, value);
        }

        return hash;
    }

    public override string ToString() => "{" + string.Join(", ", _ordered.Select(e => $"{e.Key}: {e.Value}")) + "}";

    public static implicit operator ValueMap<TValue>(Dictionary<string, TValue> entries) => new(entries);
}

/// <summary>Helpers for building <see cref="ValueMap{TValue}"/> values.</summary>
public static class ValueMap
{
    public static ValueMap<TValue> Of<TValue>(params (string Key, TValue Value)[] entries) =>
        new(entries.Select(e => KeyValuePair.Create(e.Key, e.Value)));
}
