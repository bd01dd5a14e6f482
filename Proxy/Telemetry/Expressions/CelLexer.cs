using System.Globalization;
using System.Text;

namespace Mesh.Proxy.Telemetry.Expressions;

/// <summary>Splits an expression into tokens: identifiers, numbers, quoted strings and operators.</summary>
internal static class CelLexer
{
    private static readonly string[] Operators = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "(", ")", "[", "]"];

    public static List<CelToken> Tokenize(string text)
    {
        var tokens = new List<CelToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_')
            {
                if ((c is 'r' or 'R') && i + 1 < text.Length && text[i + 1] is '\'' or '"')
                {
                    tokens.Add(ReadString(text, ref i, raw: true));
                    continue;
                }

                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new CelToken(CelTokenKind.Identifier, text[start..i], start));
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }

            if (c is '\'' or '"')
            {
                tokens.Add(ReadString(text, ref i, raw: false));
                continue;
            }

            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0);
            if (op is null)
            {
                throw new CelSyntaxException($"unexpected character '{c}' at position {i}", i);
            }

            tokens.Add(new CelToken(CelTokenKind.Operator, op, i));
            i += op.Length;
        }

        tokens.Add(new CelToken(CelTokenKind.End, string.Empty, text.Length));
        return tokens;
    }

    private static CelToken ReadNumber(string text, ref int i)
    {
        var start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
        {
            i += 2;
            var hexStart = i;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
            {
                i++;
            }

            var hex = long.Parse(text.AsSpan(hexStart, i - hexStart), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            SkipUnsignedSuffix(text, ref i);
            return new CelToken(CelTokenKind.Int, text[start..i], start, hex);
        }

        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        var isDouble = false;
        if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
        {
            isDouble = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            isDouble = true;
            i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        var literal = text[start..i];
        if (isDouble)
        {
            return new CelToken(CelTokenKind.Double, literal, start, DoubleValue: double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (!long.TryParse(literal, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new CelSyntaxException($"integer literal '{literal}' is out of range", start);
        }

        SkipUnsignedSuffix(text, ref i);
        return new CelToken(CelTokenKind.Int, literal, start, value);
    }

    // CEL's uint literals (200u) compare like ints here: response codes and sizes are never negative.
    private static void SkipUnsignedSuffix(string text, ref int i)
    {
        if (i < text.Length && text[i] is 'u' or 'U')
        {
            i++;
        }
    }

    private static CelToken ReadString(string text, ref int i, bool raw)
    {
        var start = i;
        if (raw)
        {
            i++;
        }

        var quote = text[i++];
        var builder = new StringBuilder();
        while (true)
        {
            if (i >= text.Length)
            {
                throw new CelSyntaxException($"unterminated string starting at position {start}", start);
            }

            var c = text[i++];
            if (c == quote)
            {
                break;
            }

            if (c != '\\' || raw)
            {
                builder.Append(c);
                continue;
            }

            if (i >= text.Length)
            {
                throw new CelSyntaxException($"unterminated escape in string at position {i - 1}", i - 1);
            }

            var escaped = text[i++];
            builder.Append(escaped switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '\\' => '\\',
                '\'' => '\'',
                '"' => '"',
                _ => throw new CelSyntaxException($"unknown escape '\\{escaped}' at position {i - 2}", i - 2),
            });
        }

        return new CelToken(CelTokenKind.String, builder.ToString(), start);
    }
}
