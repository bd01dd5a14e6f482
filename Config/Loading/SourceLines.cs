using System.Text;
using Mesh.Config.Model;
using YamlDotNet.RepresentationModel;

namespace Mesh.Config.Loading;

/// <summary>
/// Finds the line of a field path (<c>spec.http[0].route[1].weight</c>, map keys as
/// <c>headers["x.y"]</c>) in an object's source text, so semantic errors point at a line as
/// parse errors do. The text is parsed once, on the first lookup; a path that goes further
/// than the text (a missing field) resolves to its deepest existing ancestor. 0 when the line is
/// unknown (objects without a text of their own).
/// </summary>
internal sealed class SourceLines(ConfigObject configObject)
{
    private YamlNode? _root;
    private bool _parsed;

    public int LineOf(string path)
    {
        if (configObject.Source.Line <= 0 || Root() is not { } node)
        {
            return 0;
        }

        var line = node.Start.Line;
        foreach (var segment in Segments(path))
        {
            YamlNode? next = null;
            switch (node)
            {
                case YamlMappingNode mapping when segment is string key:
                    foreach (var (keyNode, value) in mapping.Children)
                    {
                        if (keyNode is YamlScalarNode { Value: { } name } && name == key)
                        {
                            line = keyNode.Start.Line;
                            next = value;
                            break;
                        }
                    }

                    break;
                case YamlSequenceNode sequence when segment is int index && index < sequence.Children.Count:
                    next = sequence.Children[index];
                    line = next.Start.Line;
                    break;
            }

            if (next is null)
            {
                break;
            }

            node = next;
        }

        return (int)line + configObject.Source.Line - 1;
    }

    private YamlNode? Root()
    {
        if (!_parsed)
        {
            _parsed = true;
            try
            {
                var stream = new YamlStream();
                stream.Load(new GuardedParser(new YamlDotNet.Core.Parser(new StringReader(configObject.SourceText))));
                _root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
            }
            catch (Exception)
            {
                // The text parsed when the object was read; if it no longer does, lines are unknown.
                _root = null;
            }
        }

        return _root;
    }

    /// <summary>The steps of a path: field names and map keys as strings, list indexes as ints.</summary>
    internal static IEnumerable<object> Segments(string path)
    {
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                i++;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '"')
            {
                var key = new StringBuilder();
                i += 2;
                for (; i < path.Length && path[i] != '"'; i++)
                {
                    if (path[i] == '\\' && i + 1 < path.Length)
                    {
                        i++;
                        key.Append(path[i] switch { 'n' => '\n', 'r' => '\r', 't' => '\t', var c => c });
                    }
                    else
                    {
                        key.Append(path[i]);
                    }
                }

                i += 2; // the closing quote and bracket
                yield return key.ToString();
            }
            else if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0 || !int.TryParse(path.AsSpan(i + 1, close - i - 1), out var index))
                {
                    yield break;
                }

                i = close + 1;
                yield return index;
            }
            else
            {
                var end = path.IndexOfAny(['.', '['], i);
                end = end < 0 ? path.Length : end;
                yield return path[i..end];
                i = end;
            }
        }
    }
}
