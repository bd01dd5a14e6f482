using System.Globalization;
using System.Text.RegularExpressions;

namespace Mesh.Proxy.Telemetry.Expressions;

internal enum CelStringTest
{
    StartsWith,
    EndsWith,
    Contains,
}

/// <summary><c>s.startsWith(x)</c>, <c>s.endsWith(x)</c>, <c>s.contains(x)</c> (ordinal, as CEL).</summary>
internal sealed class StringTestNode(CelStringTest test, CelNode target, CelNode argument) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var s = target.Evaluate(attributes);
        if (s.IsError)
        {
            return s;
        }

        var x = argument.Evaluate(attributes);
        if (x.IsError)
        {
            return x;
        }

        if (s.Kind != CelKind.String || x.Kind != CelKind.String)
        {
            return CelValue.Error($"{test} needs strings, got {CelValue.KindName(s.Kind)} and {CelValue.KindName(x.Kind)}");
        }

        return CelValue.Bool(test switch
        {
            CelStringTest.StartsWith => s.AsString.StartsWith(x.AsString, StringComparison.Ordinal),
            CelStringTest.EndsWith => s.AsString.EndsWith(x.AsString, StringComparison.Ordinal),
            _ => s.AsString.Contains(x.AsString, StringComparison.Ordinal),
        });
    }

    public override bool IsConnectionScoped => target.IsConnectionScoped && argument.IsConnectionScoped;
}

/// <summary><c>s.matches(re)</c>: RE2-style search (unanchored, as CEL), compiled once when the snapshot is applied.</summary>
internal sealed class MatchesNode(CelNode target, Regex pattern) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var s = target.Evaluate(attributes);
        return s.Kind switch
        {
            CelKind.String => CelValue.Bool(pattern.IsMatch(s.AsString)),
            CelKind.Error => s,
            _ => CelValue.Error($"matches needs a string, got a {CelValue.KindName(s.Kind)}"),
        };
    }

    public override bool IsConnectionScoped => target.IsConnectionScoped;
}

internal sealed class SizeNode(CelNode operand) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var value = operand.Evaluate(attributes);
        return value.Kind switch
        {
            CelKind.String => CelValue.Int(value.AsString.Length),
            CelKind.List => CelValue.Int(value.AsList.Length),
            CelKind.Map => CelValue.Int(value.AsMap.Count),
            CelKind.Error => value,
            _ => CelValue.Error($"size needs a string, list or map, got a {CelValue.KindName(value.Kind)}"),
        };
    }

    public override bool IsConnectionScoped => operand.IsConnectionScoped;
}

internal enum CelConversion
{
    ToInt,
    ToDouble,
    ToString,
}

internal sealed class ConversionNode(CelConversion conversion, CelNode operand) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var value = operand.Evaluate(attributes);
        if (value.IsError)
        {
            return value;
        }

        switch (conversion)
        {
            case CelConversion.ToString:
                return value.ToText() is { } text ? CelValue.String(text) : CelValue.Error($"cannot convert a {CelValue.KindName(value.Kind)} to string");
            case CelConversion.ToInt:
                return value.Kind switch
                {
                    CelKind.Int => value,
                    CelKind.Double => CelValue.Int((long)value.AsDouble),
                    CelKind.String when long.TryParse(value.AsString, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => CelValue.Int(i),
                    _ => CelValue.Error($"cannot convert {value} to int"),
                };
            default:
                return value.Kind switch
                {
                    CelKind.Double => value,
                    CelKind.Int => CelValue.Double(value.AsInt),
                    CelKind.String when double.TryParse(value.AsString, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => CelValue.Double(d),
                    _ => CelValue.Error($"cannot convert {value} to double"),
                };
        }
    }

    public override bool IsConnectionScoped => operand.IsConnectionScoped;
}

/// <summary>CEL's <c>has(m.key)</c> macro on a map: whether the key is present.</summary>
internal sealed class HasNode(CelNode map, string key) : CelNode
{
    public override CelValue Evaluate(ICelAttributes attributes)
    {
        var value = map.Evaluate(attributes);
        return value.Kind switch
        {
            CelKind.Map => CelValue.Bool(value.AsMap.ContainsKey(key)),
            CelKind.Error => value,
            _ => CelValue.Error($"has() needs a map field, got a {CelValue.KindName(value.Kind)}"),
        };
    }

    public override bool IsConnectionScoped => map.IsConnectionScoped;
}

/// <summary>Go/protobuf duration literals as CEL's <c>duration()</c> takes them: "1.5s", "300ms", "1h2m".</summary>
internal static class CelDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", TimeSpan.TicksPerMicrosecond), ("µs", TimeSpan.TicksPerMicrosecond), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var span = text.AsSpan().Trim();
        var negative = span.StartsWith("-");
        if (negative)
        {
            span = span[1..];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        double ticks = 0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !double.TryParse(span[..numberLength], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[numberLength..];
            var matched = false;
            foreach (var (unit, unitTicks) in Units.OrderByDescending(u => u.Unit.Length))
            {
                if (span.StartsWith(unit, StringComparison.Ordinal))
                {
                    ticks += number * unitTicks;
                    span = span[unit.Length..];
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
        return true;
    }
}
