using System.Buffers.Binary;
using CsCheck;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Wire;

namespace Gateway.Ssh.Tests.Connection;

public class ConnectionRobustnessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static DelegateHandler AcceptingHandler(List<SshChannel>? opened = null) => new()
    {
        Open = _ => ValueTask.FromResult(ChannelOpenDecision.Accept(c => { if (opened is not null) lock (opened) opened.Add(c); })),
        Request = (_, _) => ValueTask.FromResult(true),
        Forward = r => ValueTask.FromResult(RemoteForwardDecision.Accept(r.Port == 0 ? 1234u : null)),
        Global = (_, _) => ValueTask.FromResult((true, Array.Empty<byte>())),
    };

    private static byte[] SessionOpen(uint senderId, uint window = 1 << 20, uint maxPacket = 32768)
        => SshMessageBuilder.Build(SshMessageNumber.ChannelOpen, w =>
        {
            w.WriteString("session"); w.WriteUInt32(senderId); w.WriteUInt32(window); w.WriteUInt32(maxPacket);
        });

    private static byte[] ChannelMessage(byte number, uint recipient)
    {
        var message = new byte[5];
        message[0] = number;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(1), recipient);
        return message;
    }

    private static uint ConfirmedLocalId(ManualTransport transport, uint remoteId)
    {
        var confirmation = transport.Sent.Last(m => m[0] == SshMessageNumber.ChannelOpenConfirmation && BinaryPrimitives.ReadUInt32BigEndian(m.AsSpan(1)) == remoteId);
        return BinaryPrimitives.ReadUInt32BigEndian(confirmation.AsSpan(5));
    }

    [Fact]
    public async Task Random_connection_messages_only_raise_protocol_exceptions()
    {
        // Message numbers 80..100, often aimed at an open channel 0, with random bodies.
        var message = Gen.Select(Gen.Byte[80, 100], Gen.Bool, Gen.Byte.Array[0, 40]).Select(t =>
        {
            var (number, onChannel, tail) = t;
            return onChannel ? [number, 0, 0, 0, 0, .. tail] : new byte[] { number }.Concat(tail).ToArray();
        });
        await Check.SampleAsync(message.Array[1, 8], async messages =>
        {
            var transport = new ManualTransport();
            var connection = new SshConnection(transport, new SshConnectionOptions(), AcceptingHandler());
            await connection.HandleMessageAsync(SessionOpen(0));
            foreach (var payload in messages)
            {
                try
                {
                    await connection.HandleMessageAsync(payload);
                }
                catch (SshProtocolException)
                {
                    break; // the transport would disconnect here
                }
            }
            await connection.DisposeAsync();
        }, iter: 20_000);
    }

    [Fact]
    public async Task Well_formed_random_channel_requests_parse_or_raise_protocol_exceptions()
    {
        var types = Gen.OneOfConst("pty-req", "shell", "exec", "env", "window-change", "signal", "subsystem", "exit-status", "exit-signal", "x11-req");
        await Check.SampleAsync(Gen.Select(types, Gen.Bool, Gen.Byte.Array[0, 60]), async (type, wantReply, data) =>
        {
            var transport = new ManualTransport();
            var connection = new SshConnection(transport, new SshConnectionOptions(), AcceptingHandler());
            await connection.HandleMessageAsync(SessionOpen(3));
            var request = SshMessageBuilder.Build(SshMessageNumber.ChannelRequest, w =>
            {
                w.WriteUInt32(0); w.WriteString(type); w.WriteBoolean(wantReply); w.WriteRaw(data);
            });
            try
            {
                await connection.HandleMessageAsync(request);
            }
            catch (SshProtocolException)
            {
            }
        }, iter: 20_000);
    }

    [Fact]
    public async Task Peer_that_never_answers_close_does_not_leak_and_its_id_stays_reserved()
    {
        var transport = new ManualTransport();
        var opened = new List<SshChannel>();
        var options = new SshConnectionOptions { ChannelCloseTimeout = TimeSpan.FromMilliseconds(200) };
        var connection = new SshConnection(transport, options, AcceptingHandler(opened));
        await connection.HandleMessageAsync(SessionOpen(7));
        var channel = Assert.Single(opened);
        Assert.Equal(0u, ConfirmedLocalId(transport, 7));

        await channel.CloseAsync().WaitAsync(Timeout);
        Assert.True(channel.Completion.IsCompleted);
        Assert.Empty(connection.Channels);
        Assert.Contains(transport.Sent, m => m.SequenceEqual(ChannelMessage(SshMessageNumber.ChannelEof, 7)));
        Assert.Contains(transport.Sent, m => m.SequenceEqual(ChannelMessage(SshMessageNumber.ChannelClose, 7)));

        // Late data for it is dropped; the id is not handed out again until the peer's CLOSE.
        await connection.HandleMessageAsync(SshMessageBuilder.Build(SshMessageNumber.ChannelData, w => { w.WriteUInt32(0); w.WriteBinary([1, 2, 3]); }));
        await connection.HandleMessageAsync(SessionOpen(8));
        Assert.Equal(1u, ConfirmedLocalId(transport, 8));
        await connection.HandleMessageAsync(ChannelMessage(SshMessageNumber.ChannelClose, 0));
        await connection.HandleMessageAsync(SessionOpen(9));
        Assert.Equal(0u, ConfirmedLocalId(transport, 9));
    }

    [Fact]
    public async Task Window_adjust_is_sent_only_as_the_consumer_reads()
    {
        var transport = new ManualTransport();
        var opened = new List<SshChannel>();
        var options = new SshConnectionOptions { InitialWindowSize = 64 * 1024, MaxPacketSize = 16 * 1024 };
        var connection = new SshConnection(transport, options, AcceptingHandler(opened));
        await connection.HandleMessageAsync(SessionOpen(1));
        var channel = Assert.Single(opened);
        var data = SshMessageBuilder.Build(SshMessageNumber.ChannelData, w => { w.WriteUInt32(0); w.WriteBinary(new byte[16 * 1024]); });
        for (var i = 0; i < 4; i++) await connection.HandleMessageAsync(data);
        Assert.DoesNotContain(transport.Sent, m => m[0] == SshMessageNumber.ChannelWindowAdjust);

        // Reading less than half the window returns nothing yet; reaching half sends one adjust.
        var buffer = new byte[16 * 1024];
        await channel.Stream.ReadExactlyAsync(buffer);
        Assert.DoesNotContain(transport.Sent, m => m[0] == SshMessageNumber.ChannelWindowAdjust);
        await channel.Stream.ReadExactlyAsync(buffer);
        var adjust = Assert.Single(transport.Sent, m => m[0] == SshMessageNumber.ChannelWindowAdjust);
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(adjust.AsSpan(1)));
        Assert.Equal(32u * 1024, BinaryPrimitives.ReadUInt32BigEndian(adjust.AsSpan(5)));

        // The peer may now send exactly 32 KiB more, not one byte beyond.
        await connection.HandleMessageAsync(data);
        await connection.HandleMessageAsync(data);
        var ex = await Assert.ThrowsAsync<SshProtocolException>(async () =>
            await connection.HandleMessageAsync(SshMessageBuilder.Build(SshMessageNumber.ChannelData, w => { w.WriteUInt32(0); w.WriteBinary([1]); })));
        Assert.Equal(DisconnectReason.ProtocolError, ex.Reason);
    }

    [Fact]
    public async Task Open_limit_refuses_with_resource_shortage()
    {
        var transport = new ManualTransport();
        var connection = new SshConnection(transport, new SshConnectionOptions { MaxChannels = 2 }, AcceptingHandler());
        for (uint i = 0; i < 3; i++) await connection.HandleMessageAsync(SessionOpen(i));
        var failure = Assert.Single(transport.Sent, m => m[0] == SshMessageNumber.ChannelOpenFailure);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(failure.AsSpan(1)));
        Assert.Equal(ChannelOpenFailureReason.ResourceShortage, BinaryPrimitives.ReadUInt32BigEndian(failure.AsSpan(5)));
    }

    [Fact]
    public async Task Outgoing_open_times_out_and_a_late_confirmation_is_closed()
    {
        var transport = new ManualTransport();
        var options = new SshConnectionOptions { ChannelOpenTimeout = TimeSpan.FromMilliseconds(100) };
        var connection = new SshConnection(transport, options, AcceptingHandler());
        await Assert.ThrowsAsync<TimeoutException>(() => connection.OpenSessionAsync());
        var confirmation = SshMessageBuilder.Build(SshMessageNumber.ChannelOpenConfirmation, w =>
        {
            w.WriteUInt32(0); w.WriteUInt32(55); w.WriteUInt32(1 << 20); w.WriteUInt32(32768);
        });
        await connection.HandleMessageAsync(confirmation);
        await SessionChannelTests.WaitUntil(() => transport.Sent.Any(m => m.SequenceEqual(ChannelMessage(SshMessageNumber.ChannelClose, 55))));
    }
}
