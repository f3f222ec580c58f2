using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gateway.Node.Http;

/// <summary>
/// The request's <c>Connection</c> header as the client sent it. Kestrel keeps it only while it
/// names no option Kestrel acts on: <c>Connection: keep-alive, X-Secret</c> reaches the
/// application as <c>keep-alive</c> (checked on .NET 10), so the headers it names could not be
/// removed. Kestrel decodes every header value with the encoding its
/// <c>RequestHeaderEncodingSelector</c> picks by name; for <c>Connection</c> that is an encoding
/// which also records the value on the connection (a connection middleware provides the place,
/// through an async-local that flows into Kestrel's HTTP/1.1 parser and the application). HTTP/1.1
/// parses a request's headers only after the previous request has ended, so the first middleware
/// of each request takes what was recorded since. HTTP/2 and HTTP/3 forbid the header.
/// </summary>
public static class RawConnectionHeader
{
    private static readonly AsyncLocal<Recorder?> Current = new();
    private static readonly Encoding Recording = new RecordingEncoding();

    /// <summary>For <c>KestrelServerOptions.RequestHeaderEncodingSelector</c>: null keeps Kestrel's default.</summary>
    public static Encoding? SelectEncoding(string headerName)
        => string.Equals(headerName, HeaderNames.Connection, StringComparison.OrdinalIgnoreCase) ? Recording : null;

    /// <summary>Connection middleware: gives the connection its place to record in.</summary>
    public static ConnectionDelegate Middleware(ConnectionDelegate next) => async context =>
    {
        // Set inside an async method, so the value belongs to this connection's flow only.
        Current.Value = new Recorder();
        await next(context).ConfigureAwait(false);
    };

    /// <summary>First middleware of every request: moves what was recorded for it onto the request.</summary>
    public static void TakeForRequest(HttpContext context)
    {
        if (Current.Value is { } recorder && recorder.Take() is { Count: > 0 } values)
            context.Features.Set(new Feature(values));
    }

    /// <summary>The Connection header values as sent, else as Kestrel left them.</summary>
    public static StringValues Get(HttpContext context)
        => context.Features.Get<Feature>()?.Values ?? context.Request.Headers.Connection;

    private sealed record Feature(StringValues Values);

    private sealed class Recorder
    {
        private readonly object _gate = new();
        private StringValues _values;

        public void Add(string value)
        {
            lock (_gate)
                _values = StringValues.Concat(_values, value);
        }

        public StringValues Take()
        {
            lock (_gate)
            {
                var values = _values;
                _values = StringValues.Empty;
                return values;
            }
        }
    }

    /// <summary>Kestrel's default for header values (UTF-8, invalid bytes and NUL refused), recording what it decodes.</summary>
    private sealed class RecordingEncoding : Encoding
    {
        private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        // Encoding.GetString(ReadOnlySpan<byte>), which Kestrel calls, counts and then decodes through these two.
        public override unsafe int GetCharCount(byte* bytes, int count) => Strict.GetCharCount(bytes, count);

        public override unsafe int GetChars(byte* bytes, int byteCount, char* chars, int charCount)
        {
            var written = Strict.GetChars(bytes, byteCount, chars, charCount);
            var value = new string(chars, 0, written);
            if (value.Contains('\0', StringComparison.Ordinal))
                throw new DecoderFallbackException("NUL in a header value");
            Current.Value?.Add(value);
            return written;
        }

        public override string GetString(byte[] bytes, int index, int count)
        {
            ArgumentNullException.ThrowIfNull(bytes);
            var value = Strict.GetString(bytes, index, count);
            if (value.Contains('\0', StringComparison.Ordinal))
                throw new DecoderFallbackException("NUL in a header value");
            Current.Value?.Add(value);
            return value;
        }

        public override int GetByteCount(char[] chars, int index, int count) => Strict.GetByteCount(chars, index, count);

        public override int GetBytes(char[] chars, int charIndex, int charCount, byte[] bytes, int byteIndex)
            => Strict.GetBytes(chars, charIndex, charCount, bytes, byteIndex);

        public override int GetCharCount(byte[] bytes, int index, int count) => Strict.GetCharCount(bytes, index, count);

        public override int GetChars(byte[] bytes, int byteIndex, int byteCount, char[] chars, int charIndex)
            => Strict.GetChars(bytes, byteIndex, byteCount, chars, charIndex);

        public override int GetMaxByteCount(int charCount) => Strict.GetMaxByteCount(charCount);

        public override int GetMaxCharCount(int byteCount) => Strict.GetMaxCharCount(byteCount);
    }
}
