using System.Globalization;

namespace Mesh.Config.Loading;

/// <summary>
/// Istio's duration text: Go's <c>time.ParseDuration</c> form that Istio accepts for
/// <c>google.protobuf.Duration</c> fields (<c>"1s"</c>, <c>"0.5s"</c>, <c>"100ms"</c>,
/// <c>"1m"</c>, <c>"1h30m"</c>), which also covers protobuf JSON's <c>"1.5s"</c>.
/// </summary>
internal static class IstioDuration
{
    private static readonly (string Unit, decimal Ticks)[] Units =
    [
        ("ns", 0.01m), ("us", 10m), ("µs", 10m), ("μs", 10m), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var span = text.AsSpan();
        var negative = false;
        if (span[0] is '-' or '+')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span is "0")
        {
            return true;
        }

        if (span.IsEmpty)
        {
            return false;
        }

        decimal ticks = 0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !decimal.TryParse(span[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[numberLength..];
            var unitLength = 0;
            while (unitLength < span.Length && !char.IsAsciiDigit(span[unitLength]) && span[unitLength] != '.')
            {
                unitLength++;
            }

            var unit = span[..unitLength].ToString();
            var match = Units.FirstOrDefault(u => u.Unit == unit);
            if (match.Unit is null)
            {
                return false;
            }

            ticks += number * match.Ticks;
            span = span[unitLength..];
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)decimal.Round(ticks));
        if (negative)
        {
            value = value.Negate();
        }

        return true;
    }

    /// <summary>The shortest exact text: <c>"1h"</c>, <c>"90s"</c>, <c>"100ms"</c>, <c>"0.0005s"</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sign = value < TimeSpan.Zero ? "-" : "";
        var ticks = Math.Abs(value.Ticks);
        if (ticks % TimeSpan.TicksPerHour == 0)
        {
            return $"{sign}{ticks / TimeSpan.TicksPerHour}h";
        }

        if (ticks % TimeSpan.TicksPerMinute == 0)
        {
            return $"{sign}{ticks / TimeSpan.TicksPerMinute}m";
        }

        if (ticks % TimeSpan.TicksPerSecond == 0)
        {
            return $"{sign}{ticks / TimeSpan.TicksPerSecond}s";
        }

        if (ticks % TimeSpan.TicksPerMillisecond == 0)
        {
            return $"{sign}{ticks / TimeSpan.TicksPerMillisecond}ms";
        }

        var seconds = (decimal)ticks / TimeSpan.TicksPerSecond;
        return sign + seconds.ToString("0.#######", CultureInfo.InvariantCulture) + "s";
    }
}
