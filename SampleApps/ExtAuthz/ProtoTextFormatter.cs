using System.Collections;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Samples.ExtAuthz;

/// <summary>
/// A message in the protobuf text format on one line, as Go's <c>message.String()</c> prints it
/// (Istio's server puts that in <c>x-ext-authz-check-received</c> and its log):
/// <c>source:{address:{socket_address:{address:"10.0.0.1" port_value:5000}}} request:{…}</c>.
/// Fields in declaration order, unset ones left out, map entries sorted by key, enums by name.
/// Go inserts random extra spaces (on purpose, so nobody parses it); this prints single spaces.
/// <c>Any</c> is shown as its two fields, and unknown fields are not shown.
/// </summary>
internal static class ProtoTextFormatter
{
    /// <summary>Go prints a nil message as "&lt;nil&gt;".</summary>
    public const string Nil = "<nil>";

    public static string Format(IMessage? message)
    {
        if (message is null)
        {
            return Nil;
        }

        var text = new StringBuilder();
        WriteFields(text, message);
        return text.ToString();
    }

    private static void WriteFields(StringBuilder text, IMessage message)
    {
        var first = true;
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                var entries = new List<(object Key, object? Value)>();
                for (var entry = ((IDictionary)value).GetEnumerator(); entry.MoveNext();)
                {
                    entries.Add((entry.Key, entry.Value));
                }

                entries.Sort((a, b) => MapKeyComparer.Instance.Compare(a.Key, b.Key));
                var keyField = field.MessageType.FindFieldByNumber(1);
                var valueField = field.MessageType.FindFieldByNumber(2);
                foreach (var entry in entries)
                {
                    Separate(text, ref first).Append(field.Name).Append(":{key:");
                    WriteValue(text, keyField, entry.Key);
                    text.Append(" value:");
                    WriteValue(text, valueField, entry.Value);
                    text.Append('}');
                }
            }
            else if (field.IsRepeated)
            {
                foreach (var item in (IList)value)
                {
                    Separate(text, ref first).Append(field.Name).Append(':');
                    WriteValue(text, field, item);
                }
            }
            else if (IsSet(field, message, value))
            {
                Separate(text, ref first).Append(field.Name).Append(':');
                WriteValue(text, field, value);
            }
        }
    }

    private static StringBuilder Separate(StringBuilder text, ref bool first)
    {
        if (!first)
        {
            text.Append(' ');
        }

        first = false;
        return text;
    }

    // Proto3: messages, oneof members and optional fields have presence; other scalars are set
    // when they differ from their zero value.
    private static bool IsSet(FieldDescriptor field, IMessage message, object? value) =>
        field.HasPresence
            ? field.Accessor.HasValue(message)
            : value switch
            {
                null => false,
                string s => s.Length > 0,
                ByteString b => !b.IsEmpty,
                bool b => b,
                Enum e => Convert.ToInt32(e, CultureInfo.InvariantCulture) != 0,
                IConvertible number => number.ToDouble(CultureInfo.InvariantCulture) != 0,
                _ => true,
            };

    private static void WriteValue(StringBuilder text, FieldDescriptor field, object? value)
    {
        switch (field.FieldType)
        {
            case FieldType.Message or FieldType.Group:
                text.Append('{');
                if (value is IMessage nested)
                {
                    WriteFields(text, nested);
                }

                text.Append('}');
                break;
            case FieldType.String:
                WriteQuoted(text, Encoding.UTF8.GetBytes((string)value!));
                break;
            case FieldType.Bytes:
                WriteQuoted(text, ((ByteString)value!).Span);
                break;
            case FieldType.Bool:
                text.Append((bool)value! ? "true" : "false");
                break;
            case FieldType.Enum:
                var number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
                text.Append(field.EnumType.FindValueByNumber(number)?.Name ?? number.ToString(CultureInfo.InvariantCulture));
                break;
            case FieldType.Double:
                text.Append(GoFloat.Format((double)value!));
                break;
            case FieldType.Float:
                text.Append(GoFloat.Format((float)value!));
                break;
            default:
                text.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>protobuf-go's string escaping: \" \\ \n \r \t, \xNN for other control bytes and invalid UTF-8, \uNNNN for C1 controls.</summary>
    private static void WriteQuoted(StringBuilder text, ReadOnlySpan<byte> utf8)
    {
        text.Append('"');
        while (!utf8.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(utf8, out var rune, out var length);
            if (status != System.Buffers.OperationStatus.Done)
            {
                text.Append("\\x").Append(utf8[0].ToString("x2", CultureInfo.InvariantCulture));
                utf8 = utf8[1..];
                continue;
            }

            var c = rune.Value;
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                < 0x20 or 0x7f => text.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture)),
                >= 0x80 and <= 0x9f => text.Append("\\u").Append(c.ToString("x4", CultureInfo.InvariantCulture)),
                _ => text.Append(rune.ToString()),
            };
            utf8 = utf8[length..];
        }

        text.Append('"');
    }

    /// <summary>Go orders map keys: numbers by value, strings by bytes, false before true.</summary>
    private sealed class MapKeyComparer : IComparer<object>
    {
        public static readonly MapKeyComparer Instance = new();

        public int Compare(object? x, object? y) => (x, y) switch
        {
            (string a, string b) => string.CompareOrdinal(a, b),
            (IComparable a, _) => a.CompareTo(y),
            _ => 0,
        };
    }
}
