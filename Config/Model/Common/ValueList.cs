using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Mesh.Config.Model.Common;

/// <summary>
/// An immutable list with value equality, so config records compare by content
/// (a parsed object equals its re-parsed serialization). Collection expressions build it:
/// <c>Hosts = ["reviews"]</c>.
/// </summary>
[CollectionBuilder(typeof(ValueList), nameof(ValueList.Create))]
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    public static ValueList<T> Empty { get; } = new(ImmutableArray<T>.Empty);

    private readonly ImmutableArray<T> _items;

    public ValueList(ImmutableArray<T> items) => _items = items.IsDefault ? ImmutableArray<T>.Empty : items;

    public ValueList(IEnumerable<T> items) : this(items.ToImmutableArray())
    {
    }

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public bool IsEmpty => _items.IsEmpty;

    public ImmutableArray<T>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)_items).GetEnumerator();

    public bool Equals(ValueList<T>? other)
    {
        if (other is null)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other._items.Length != _items.Length)
        {
            return false;
        }

        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < _items.Length; i++)
        {
            if (!comparer.Equals(_items[i], other._items[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", _items) + "]";

    public static implicit operator ValueList<T>(T[] items) => new(ImmutableArray.Create(items));
}

/// <summary>Factory used by collection expressions for <see cref="ValueList{T}"/>.</summary>
public static class ValueList
{
    public static ValueList<T> Create<T>(ReadOnlySpan<T> items) => items.IsEmpty ? ValueList<T>.Empty : new(items.ToImmutableArray());
}

/// <summary>
/// Whether a list or map field was written in the document at all. Absent fields hold the shared
/// <c>Empty</c> instance; the parser creates a new instance for every field it reads, so
/// <c>from: []</c> (written, empty) and no <c>from</c> differ where Istio tells them apart.
/// </summary>
internal static class Presence
{
    public static bool IsWrittenEmpty<T>(ValueList<T> list) => list.Count == 0 && !ReferenceEquals(list, ValueList<T>.Empty);

    public static bool IsWrittenEmpty<T>(ValueMap<T> map) => map.Count == 0 && !ReferenceEquals(map, ValueMap<T>.Empty);
}
