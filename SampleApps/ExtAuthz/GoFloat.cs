using System.Globalization;

namespace Samples.ExtAuthz;

/// <summary>
/// Go's <c>strconv.FormatFloat(f, 'g', -1, bits)</c>, which protobuf-go's text format uses:
/// the shortest digits that round-trip, in exponent form ("1e+06", "1.5e-05") when the
/// exponent is below -4 or at least 6 (Go's %g rule for the shortest form); inf, -inf, nan.
/// </summary>
internal static class GoFloat
{
    public static string Format(double value) => Format(value, value.ToString("R", CultureInfo.InvariantCulture));

    public static string Format(float value) => Format(value, value.ToString("R", CultureInfo.InvariantCulture));

    private static string Format(double value, string shortest)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        // Shortest round-trip digits and decimal exponent from .NET's "R" form ("1.5E-05", "123.45").
        var negative = shortest.StartsWith('-');
        var unsigned = negative ? shortest[1..] : shortest;
        var exponentAt = unsigned.IndexOf('E', StringComparison.Ordinal);
        var mantissa = exponentAt < 0 ? unsigned : unsigned[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(unsigned[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerDigits = point < 0 ? mantissa : mantissa[..point];
        var allDigits = (integerDigits + (point < 0 ? "" : mantissa[(point + 1)..])).TrimStart('0');
        if (allDigits.Length == 0)
        {
            return negative ? "-0" : "0";
        }

        // Decimal exponent of the first significant digit.
        var leadingZeros = (integerDigits + (point < 0 ? "" : mantissa[(point + 1)..])).Length - allDigits.Length;
        var digitsExponent = integerDigits.Length - 1 - leadingZeros + exponent;
        var digits = allDigits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var sign = negative ? "-" : "";
        if (digitsExponent < -4 || digitsExponent >= 6)
        {
            var fraction = digits.Length > 1 ? "." + digits[1..] : "";
            var exponentText = Math.Abs(digitsExponent).ToString("00", CultureInfo.InvariantCulture);
            return $"{sign}{digits[0]}{fraction}e{(digitsExponent < 0 ? '-' : '+')}{exponentText}";
        }

        if (digitsExponent < 0)
        {
            return $"{sign}0.{new string('0', -digitsExponent - 1)}{digits}";
        }

        return digits.Length <= digitsExponent + 1
            ? sign + digits + new string('0', digitsExponent + 1 - digits.Length)
            : $"{sign}{digits[..(digitsExponent + 1)]}.{digits[(digitsExponent + 1)..]}";
    }
}
