using System.IO.Pipelines;
using Akka;
using Akka.Streams.Dsl;

namespace Gateway.Actors.DataPlane;

/// <summary>
/// One side of a connection's byte graph: where its bytes come from, the stream they are written
/// to, and how this side is half-closed once the other side has nothing more to send.
/// </summary>
public sealed record GraphEnd(Source<ByteChunk, NotUsed> Incoming, Stream Outgoing, Func<Task> HalfClose)
{
    /// <summary>A side read through its pipe without copies (an SSH channel's input).</summary>
    public static GraphEnd ForPipe(PipeReader input, Stream output, Func<Task> halfClose)
        => new(Source.FromGraph(new PipeReaderSource(input)), output, halfClose);

    /// <summary>A side read into pooled chunks (a socket, or TLS over it).</summary>
    public static GraphEnd ForStream(Stream stream, Func<Task> halfClose)
        => new(Source.FromGraph(new StreamReadSource(stream)), stream, halfClose);
}
