using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mesh.Config.Loading;

/// <summary>
/// YamlDotNet's parser with the <see cref="ParserLimits"/> enforced while events are read, before
/// YamlDotNet's recursive node builder sees them: a document nested thousands of levels deep or
/// holding millions of nodes stops with <see cref="ParserLimitException"/> instead of
/// overflowing the stack or filling memory.
/// </summary>
internal sealed class GuardedParser(IParser inner) : IParser
{
    private int _depth;
    private int _nodes;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        switch (inner.Current)
        {
            case MappingStart or SequenceStart:
                Count();
                if (++_depth > ParserLimits.MaxDepth)
                {
                    throw new ParserLimitException(inner.Current.Start, $"the document nests deeper than {ParserLimits.MaxDepth} levels");
                }

                break;
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
            case Scalar or AnchorAlias:
                Count();
                break;
        }

        return true;
    }

    private void Count()
    {
        if (++_nodes > ParserLimits.MaxNodesPerDocument)
        {
            throw new ParserLimitException(inner.Current!.Start, $"the document has more than {ParserLimits.MaxNodesPerDocument} values");
        }
    }
}

/// <summary>A document exceeded one of the <see cref="ParserLimits"/>.</summary>
internal sealed class ParserLimitException(Mark start, string message) : Exception(message)
{
    public Mark Start { get; } = start;
}
