package cimtrain.report;

import java.math.BigDecimal;
import java.math.MathContext;

/** Numbers as the report prints them. */
final class Format {
    private Format() {
    }

    /** {@code digits} significant digits in plain notation without trailing zeros: 0.25, 0.00001234, 1200. */
    static String significant(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        return new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
    }
}
