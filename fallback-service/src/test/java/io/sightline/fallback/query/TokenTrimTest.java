package io.sightline.fallback.query;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TokenTrimTest {

    @Test
    void thePiecesPassedOnAddUpToTheStrippedAnswer() {
        List<String> pieces = List.of("\n", "  ", "The", " cup", " is", " ", "\n", "on the", " table.", " ", "\n\n");
        List<String> out = new ArrayList<>();
        TokenTrim trim = new TokenTrim(out::add);
        pieces.forEach(trim);

        assertThat(String.join("", out)).isEqualTo(String.join("", pieces).strip()).isEqualTo("The cup is \non the table.");
        assertThat(out).first().isEqualTo("The");
        assertThat(out).noneMatch(String::isEmpty);
    }
}
