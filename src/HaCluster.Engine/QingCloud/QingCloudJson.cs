// Copyright (c) HaCluster contributors. MIT License.
// Lenient System.Text.Json settings for QingCloud replies, whose field types vary between services.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HaCluster.Engine.QingCloud;

/// <summary>
/// JSON settings for reading QingCloud items: a string field also accepts numbers (and keeps raw JSON
/// for objects), booleans accept 0/1, integers accept null (0) and numeric strings, lists accept null (empty) or a space/comma separated string
/// (<c>resource_ids</c>), and an empty time is null.
/// </summary>
internal static class QingCloudJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    public static T Deserialize<T>(JsonElement element) =>
        JsonSerializer.Deserialize<T>(element.GetRawText(), Options)
        ?? throw new JsonException($"A QingCloud {typeof(T).Name} item was null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
        };
        options.Converters.Add(new LenientStringConverter());
        options.Converters.Add(new LenientBooleanConverter());
        options.Converters.Add(new LenientIntegerConverter());
        options.Converters.Add(new LenientTimeConverter());
        options.Converters.Add(new ReadOnlyListConverterFactory());
        return options;
    }

    private sealed class LenientStringConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            // Numbers, booleans and nested values keep their JSON text (e.g. val1 sent as 6443).
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.GetRawText();
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private sealed class LenientBooleanConverter : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Number => reader.GetDouble() != 0,
            JsonTokenType.String => reader.GetString() is { } text && (text == "1" || string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)),
            _ => false,
        };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    // The one place a JSON null in an integer field is tolerated: QingCloud sends null for unset integers
    // ("http_header_size": null in a captured DescribeLoadBalancers reply); it reads as 0, like a missing field.
    private sealed class LenientIntegerConverter : JsonConverter<int>
    {
        public override bool HandleNull => true;

        public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return 0;
                case JsonTokenType.Number:
                    return reader.TryGetInt32(out var value) ? value : (int)reader.GetDouble();
                case JsonTokenType.String:
                    var text = reader.GetString();
                    return string.IsNullOrWhiteSpace(text) ? 0
                        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed
                        : throw new JsonException($"'{text}' is not an integer.");
                case JsonTokenType.True:
                    return 1;
                case JsonTokenType.False:
                    return 0;
                default:
                    throw new JsonException($"Expected an integer, got {reader.TokenType}.");
            }
        }

        public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
    }

    private sealed class LenientTimeConverter : JsonConverter<DateTime?>
    {
        public override bool HandleNull => true;

        public override DateTime? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return null;
            }

            var text = reader.GetString();
            return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
                ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
                : null;
        }

        public override void Write(Utf8JsonWriter writer, DateTime? value, JsonSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(value.Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            }
        }
    }

    private sealed class ReadOnlyListConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlyList<>);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ReadOnlyListConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
    }

    private sealed class ReadOnlyListConverter<T> : JsonConverter<IReadOnlyList<T>>
    {
        private static readonly char[] Separators = { ' ', ',' };

        public override bool HandleNull => true;

        public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return Array.Empty<T>();
            }

            // job.resource_ids and listener.server_certificate_id may come as one separated string.
            if (reader.TokenType == JsonTokenType.String && typeof(T) == typeof(string))
            {
                var parts = (reader.GetString() ?? string.Empty).Split(Separators, StringSplitOptions.RemoveEmptyEntries);
                return (IReadOnlyList<T>)(object)parts;
            }

            return JsonSerializer.Deserialize<List<T>>(ref reader, options) ?? new List<T>();
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, options);
    }
}
