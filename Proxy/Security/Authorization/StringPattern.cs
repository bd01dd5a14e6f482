namespace Mesh.Proxy.Security.Authorization;

/// <summary>
/// Istio's string match in authorization fields: exact, prefix (<c>abc*</c>), suffix (<c>*abc</c>)
/// or presence (<c>*</c>: any non-empty value). A missing value matches nothing.
/// </summary>
internal sealed class StringPattern
{
    private readonly Kind _kind;
    private readonly string _value;
    private readonly StringComparison _comparison;

    private StringPattern(Kind kind, string value, StringComparison comparison)
    {
        _kind = kind;
        _value = value;
        _comparison = comparison;
    }

    private enum Kind
    {
        Exact,
        Prefix,
        Suffix,
        Presence,
    }

    public static StringPattern Parse(string text, bool ignoreCase = false)
    {
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return text switch
        {
            "*" => new StringPattern(Kind.Presence, "", comparison),
            _ when text.Length > 1 && text.EndsWith('*') => new StringPattern(Kind.Prefix, text[..^1], comparison),
            _ when text.Length > 1 && text.StartsWith('*') => new StringPattern(Kind.Suffix, text[1..], comparison),
            _ => new StringPattern(Kind.Exact, text, comparison),
        };
    }

    public bool Matches(ReadOnlySpan<char> value, bool present = true) => present && _kind switch
    {
        Kind.Exact => value.Equals(_value, _comparison),
        Kind.Prefix => value.StartsWith(_value, _comparison),
        Kind.Suffix => value.EndsWith(_value, _comparison),
        _ => !value.IsEmpty,
    };

    public override string ToString() => _kind switch
    {
        Kind.Prefix => _value + "*",
        Kind.Suffix => "*" + _value,
        Kind.Presence => "*",
        _ => _value,
    };
}

/// <summary>A list of patterns that matches when any of them does.</summary>
internal sealed class PatternList(StringPattern[] patterns)
{
    public static PatternList? From(IReadOnlyCollection<string> values, bool ignoreCase = false) =>
        values.Count == 0 ? null : new PatternList([.. values.Select(v => StringPattern.Parse(v, ignoreCase))]);

    public bool Matches(string? value)
    {
        if (value is null)
        {
            return false;
        }

        foreach (var pattern in patterns)
        {
            if (pattern.Matches(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when any pattern matches any of the values (multi-valued attributes: audiences, list claims).</summary>
    public bool MatchesAny(IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return false;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (Matches(values[i]))
            {
                return true;
            }
        }

        return false;
    }
}
