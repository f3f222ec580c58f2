using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Transport;

public class TransportInputBufferTests
{
    /// <summary>Hands out its bytes a few at a time and records the size of every read it was asked for.</summary>
    private sealed class RecordingStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public List<int> ReadSizes { get; } = [];

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ReadSizes.Add(buffer.Length);
            var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer.Span);
            _position += n;
            return ValueTask.FromResult(n);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Waits_with_a_zero_byte_read_only_when_everything_was_consumed()
    {
        var data = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        var stream = new RecordingStream(data, chunk: 7);
        using var input = new TransportInputBuffer(stream);

        await input.FillAsync(10, CancellationToken.None);
        Assert.Equal(0, stream.ReadSizes[0]);          // idle at the start: no buffer held while waiting
        Assert.True(stream.ReadSizes.Skip(1).All(size => size > 0));
        Assert.Equal(data[..10], input.Span(10).ToArray());

        input.Consume(10);                              // 4 bytes of the second read remain buffered
        stream.ReadSizes.Clear();
        await input.FillAsync(10, CancellationToken.None);
        Assert.DoesNotContain(0, stream.ReadSizes);     // mid-stream: no idle wait
        Assert.Equal(data[10..20], input.Span(10).ToArray());

        input.Consume(input.Buffered);
        stream.ReadSizes.Clear();
        await input.FillAsync(3, CancellationToken.None);
        Assert.Equal(0, stream.ReadSizes[0]);           // all consumed again: buffer returned, zero-byte wait
        Assert.Equal(data[21..24], input.Span(3).ToArray());
    }

    [Fact]
    public async Task End_of_stream_after_the_idle_wait_closes_the_connection()
    {
        var stream = new RecordingStream([], chunk: 4);
        using var input = new TransportInputBuffer(stream);
        await Assert.ThrowsAsync<SshConnectionClosedException>(() => input.FillAsync(4, CancellationToken.None).AsTask());
    }
}
