using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Mesh.Contracts.Snapshots;

/// <summary>
/// Shallow copies of protobuf messages: every field refers to the source's values (messages are
/// shared, not cloned), so copying a cluster without its thousand endpoints costs a dozen field
/// assignments. Generic over the message's fields, so a field added to the contract is never dropped.
/// </summary>
public static class MessageCopier
{
    /// <summary>A shallow copy of <paramref name="source"/> without the field <paramref name="excludedField"/>.</summary>
    public static T Without<T>(T source, int excludedField) where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(source);
        var copy = new T();
        foreach (var field in source.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldNumber != excludedField)
            {
                CopyField(field, source, copy);
            }
        }

        return copy;
    }

    /// <summary>Copies one field's value (shallow: messages are shared, not cloned) from one message to another of the same type.</summary>
    public static void CopyField(FieldDescriptor field, IMessage source, IMessage target)
    {
        ArgumentNullException.ThrowIfNull(field);
        var value = field.Accessor.GetValue(source);
        if (field.IsMap)
        {
            var map = (IDictionary)field.Accessor.GetValue(target);
            foreach (DictionaryEntry entry in (IDictionary)value)
            {
                map.Add(entry.Key, entry.Value);
            }
        }
        else if (field.IsRepeated)
        {
            var list = (IList)field.Accessor.GetValue(target);
            foreach (var item in (IList)value)
            {
                list.Add(item);
            }
        }
        else if (!field.HasPresence || field.Accessor.HasValue(source))
        {
            field.Accessor.SetValue(target, value);
        }
    }
}
